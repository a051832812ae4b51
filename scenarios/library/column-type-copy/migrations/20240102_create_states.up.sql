CREATE TABLE states (
  state_id INT NOT NULL AUTO_INCREMENT,
  state VARCHAR(255) DEFAULT NULL,
  last_updated_ts DOUBLE DEFAULT NULL,
  last_changed_ts DOUBLE DEFAULT NULL,
  old_state_id INT DEFAULT NULL,
  attributes_id INT DEFAULT NULL,
  origin_idx SMALLINT DEFAULT NULL,
  metadata_id INT DEFAULT NULL,
  PRIMARY KEY (state_id),
  KEY ix_states_old_state_id (old_state_id),
  KEY ix_states_attributes_id (attributes_id),
  KEY ix_states_metadata_id_last_updated_ts (metadata_id, last_updated_ts)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
