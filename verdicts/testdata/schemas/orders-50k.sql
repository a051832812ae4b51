-- A shop's orders table as production has it: 50,000 rows (a table copy holds writers for seconds), four statuses,
-- a free-text note on a third of them.
CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT,
  customer_id INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  total DECIMAL(12,2) NOT NULL,
  note VARCHAR(200) DEFAULT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  KEY ix_orders_customer (customer_id),
  KEY ix_orders_status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO orders (customer_id, status, total, note, created_at)
SELECT 1 + (a.n * 1000 + b.n) % 3000, ELT(1 + (a.n * 1000 + b.n) % 4, 'new', 'paid', 'shipped', 'cancelled'),
       ROUND(5 + ((a.n * 1000 + b.n) * 7919) % 50000 / 100, 2),
       IF((a.n * 1000 + b.n) % 3 = 0, CONCAT('Leave at the door, order ', a.n * 1000 + b.n), NULL),
       '2024-01-01' + INTERVAL (a.n * 1000 + b.n) MINUTE
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 50;
