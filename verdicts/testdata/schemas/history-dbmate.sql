-- dbmate's history: the orders table's migration is applied.
CREATE TABLE schema_migrations (version VARCHAR(128) NOT NULL, PRIMARY KEY (version));
INSERT INTO schema_migrations (version) VALUES ('20240101000000');
