-- Prisma Migrate's history: the orders table's migration is applied (its checksum is the
-- SHA-256 of prisma-add-column's 20240101000000_create_orders/migration.sql).
CREATE TABLE _prisma_migrations (
  id VARCHAR(36) NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at DATETIME(3) NULL, migration_name VARCHAR(255) NOT NULL,
  logs TEXT NULL, rolled_back_at DATETIME(3) NULL, started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0, PRIMARY KEY (id));
INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
VALUES ('0b7f2a4e-2f0c-4a55-9d61-6c3f3f0c1a01', '81a99fc974bace0cd9c7a632d891c735264ebd7e0bd85b8dc3a93c02826014a7', '2024-01-01 00:00:01.000', '20240101000000_create_orders', '2024-01-01 00:00:00.000', 1);
