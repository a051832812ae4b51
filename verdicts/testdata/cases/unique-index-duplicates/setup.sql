-- Production before the release: 5,000 users whose e-mail addresses are
-- distinct but for 50 duplicates (an old signup bug let a
-- double click create the account twice); no unique index.
CREATE TABLE users (
  id BIGINT NOT NULL AUTO_INCREMENT,
  email VARCHAR(191) NOT NULL,
  name VARCHAR(100) NOT NULL,
  status ENUM('active','blocked') NOT NULL DEFAULT 'active',
  created_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  KEY ix_users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO users (email, name, status, created_at)
SELECT CONCAT('user', IF(b.n % 100 = 99, a.n * 1000 + b.n - 1, a.n * 1000 + b.n), '@example.com'), CONCAT('User ', a.n * 1000 + b.n),
       IF((a.n + b.n) % 10 = 0, 'blocked', 'active'), '2024-01-01' + INTERVAL (a.n * 1000 + b.n) MINUTE
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 5;

-- goose's history: the bootstrap row and the applied migration.
CREATE TABLE goose_db_version (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  version_id BIGINT NOT NULL,
  is_applied TINYINT(1) NOT NULL,
  tstamp TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id)
);
INSERT INTO goose_db_version (version_id, is_applied, tstamp) VALUES (0, 1, '2024-01-01 00:00:00'), (20240101000000, 1, '2024-01-01 00:00:01');
