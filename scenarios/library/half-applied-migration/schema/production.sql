-- A facileManager-shaped fmDNS ACL table, release 2.1 (history at
-- 20240102), on a server with the default strict sql_mode.
CREATE TABLE fm_dns_acls (
  acl_id INT(11) NOT NULL AUTO_INCREMENT,
  account_id INT(11) NOT NULL DEFAULT '1',
  server_serial_no VARCHAR(255) NOT NULL DEFAULT '0',
  acl_name VARCHAR(255) NOT NULL,
  acl_predefined ENUM('as defined:','none','any','localhost','localnets') NOT NULL DEFAULT 'as defined:',
  acl_addresses TEXT NOT NULL,
  acl_comment TEXT,
  acl_status ENUM('active','disabled','deleted') NOT NULL DEFAULT 'active',
  PRIMARY KEY (acl_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE schema_migrations (
  version BIGINT NOT NULL,
  dirty TINYINT(1) NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO schema_migrations (version, dirty) VALUES (20240102, 0);
