-- sql-migrate's history: the orders table's migration is applied.
CREATE TABLE gorp_migrations (id VARCHAR(255) NOT NULL, applied_at DATETIME DEFAULT NULL, PRIMARY KEY (id));
INSERT INTO gorp_migrations (id, applied_at) VALUES ('20240101000000_create_orders.sql', '2024-01-01 00:00:00');
