-- golang-migrate's history: version 1 (the orders table) applied, clean.
CREATE TABLE schema_migrations (version BIGINT NOT NULL, dirty TINYINT(1) NOT NULL, PRIMARY KEY (version));
INSERT INTO schema_migrations (version, dirty) VALUES (1, 0);
