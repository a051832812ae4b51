-- Production before the release: a customers table from the latin1 days,
-- 50,000 rows (its copy holds writers well past the 200 ms that count), names with accents (café, Müller: latin1 holds them).
CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT,
  name VARCHAR(100) NOT NULL,
  city VARCHAR(60) DEFAULT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  KEY ix_customers_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

INSERT INTO customers (name, city, created_at)
SELECT CONCAT(ELT(1 + (a.n * 1000 + b.n) % 4, 'Müller ', 'Café ', 'Nuñez ', 'Smith '), a.n * 1000 + b.n),
       IF((a.n * 1000 + b.n) % 5 = 0, NULL, ELT(1 + (a.n * 1000 + b.n) % 3, 'Zürich', 'Málaga', 'Leeds')),
       '2024-01-01' + INTERVAL (a.n * 1000 + b.n) MINUTE
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 50;

-- dbmate's history: the customers table's migration is applied.
CREATE TABLE schema_migrations (version VARCHAR(128) NOT NULL, PRIMARY KEY (version));
INSERT INTO schema_migrations (version) VALUES ('20240101000000');
