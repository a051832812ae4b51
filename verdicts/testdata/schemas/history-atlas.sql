-- Atlas's history: the orders table's revision is applied.
CREATE TABLE atlas_schema_revisions (
  version VARCHAR(255) NOT NULL, description VARCHAR(255) NOT NULL, type BIGINT UNSIGNED NOT NULL DEFAULT 2,
  applied BIGINT NOT NULL DEFAULT 0, total BIGINT NOT NULL DEFAULT 0, executed_at TIMESTAMP(6) NOT NULL,
  execution_time BIGINT NOT NULL, error LONGTEXT NULL, error_stmt LONGTEXT NULL, hash VARCHAR(255) NOT NULL,
  partial_hashes JSON NULL, operator_version VARCHAR(255) NOT NULL, PRIMARY KEY (version));
INSERT INTO atlas_schema_revisions VALUES ('20240101000000', 'create_orders', 2, 1, 1, '2024-01-01 00:00:00', 120000, NULL, NULL, 'h1', NULL, 'Atlas CLI v0.32.0');
