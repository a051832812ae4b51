-- The default group ACL, with every NOT NULL column given.
INSERT INTO fm_dns_acls (account_id, server_serial_no, acl_parent_id, acl_name, acl_predefined, acl_addresses, acl_comment, acl_status)
  VALUES (1, '0', 0, 'default-group', 'none', '', 'Default ACL group', 'active');
