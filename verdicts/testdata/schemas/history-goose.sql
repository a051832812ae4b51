-- goose's history: the bootstrap row and the orders table's migration.
CREATE TABLE goose_db_version (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  version_id BIGINT NOT NULL,
  is_applied TINYINT(1) NOT NULL,
  tstamp TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id)
);
INSERT INTO goose_db_version (version_id, is_applied, tstamp) VALUES (0, 1, '2024-01-01 00:00:00'), (20240101000000, 1, '2024-01-01 00:00:01');
