-- An Icinga DB-shaped history table (simplified: a numeric id instead of
-- the SHA1 binary ids) and the schema version table.
CREATE TABLE history (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  environment_id BINARY(20) NOT NULL,
  endpoint_id BINARY(20) DEFAULT NULL,
  object_type ENUM('host','service') NOT NULL,
  host_id BINARY(20) NOT NULL,
  service_id BINARY(20) DEFAULT NULL,
  event_type ENUM('state_change','ack_clear','downtime_end','flapping_end','comment_remove','comment_add','flapping_start','downtime_start','ack_set','notification') NOT NULL,
  event_time BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (id),
  KEY idx_history_event_time (event_time),
  KEY idx_history_host_service_id (host_id, service_id, event_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE schema_migrations (
  version BIGINT NOT NULL,
  dirty TINYINT(1) NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO schema_migrations (version, dirty) VALUES (20231120, 0);
