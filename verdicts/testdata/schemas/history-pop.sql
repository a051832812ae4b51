-- popx's history: the orders table's migration (a 20-digit version) is applied.
CREATE TABLE schema_migration (version VARCHAR(48) NOT NULL, version_self INT NOT NULL DEFAULT 0, UNIQUE KEY schema_migration_version_idx (version));
INSERT INTO schema_migration (version) VALUES ('20240101000000000001');
