-- Production before the release: product reviews in utf8mb4, 5,000 rows; one
-- in fifty has an emoji, which neither utf8mb3 nor latin1 holds.
CREATE TABLE reviews (
  id BIGINT NOT NULL AUTO_INCREMENT,
  product_id INT NOT NULL,
  body VARCHAR(200) NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  KEY ix_reviews_product (product_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO reviews (product_id, body, created_at)
SELECT 1 + (a.n * 1000 + b.n) % 300,
       CONCAT('Review ', a.n * 1000 + b.n, IF((a.n * 1000 + b.n) % 50 = 0, ' great value 👍', ' as described')),
       '2024-01-01' + INTERVAL (a.n * 1000 + b.n) MINUTE
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 5;

-- dbmate's history: the reviews table's migration is applied.
CREATE TABLE schema_migrations (version VARCHAR(128) NOT NULL, PRIMARY KEY (version));
INSERT INTO schema_migrations (version) VALUES ('20240101000000');
