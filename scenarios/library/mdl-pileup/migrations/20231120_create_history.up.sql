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
