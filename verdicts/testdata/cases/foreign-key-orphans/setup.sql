-- The customers table the release's key refers to: only customers 1-1,000
-- are left (older ones were purged); orders still name customers up to 3,000.
CREATE TABLE customers (
  id INT NOT NULL,
  name VARCHAR(100) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO customers (id, name)
WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000) SELECT n, CONCAT('Customer ', n) FROM s;
