-- An in-house runner's history (Authelia's shape): one row per up or down, version_after the
-- version the schema is at after it. Version 1 is applied.
CREATE TABLE migrations (
  id INTEGER NOT NULL PRIMARY KEY AUTO_INCREMENT, applied TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  version_before INTEGER NULL DEFAULT NULL, version_after INTEGER NOT NULL, application_version VARCHAR(128) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO migrations (version_before, version_after, application_version) VALUES (NULL, 1, 'v1.0.0');
