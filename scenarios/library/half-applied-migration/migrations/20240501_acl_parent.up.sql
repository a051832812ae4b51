-- Upgrade to 2.2: ACLs can be nested. Three statements in one migration;
-- on MySQL and MariaDB each DDL statement commits on its own.
ALTER TABLE fm_dns_acls ADD acl_parent_id INT NOT NULL DEFAULT '0' AFTER server_serial_no;

-- The default group ACL. acl_name is NOT NULL without a default: under
-- strict sql_mode this fails with 1364 after the ALTER above committed.
INSERT INTO fm_dns_acls (account_id, server_serial_no, acl_parent_id, acl_predefined, acl_addresses, acl_comment, acl_status)
  VALUES (1, '0', 0, 'none', '', 'Default ACL group', 'active');

ALTER TABLE fm_dns_acls ADD KEY idx_acl_parent_id (acl_parent_id);
