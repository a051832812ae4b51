ALTER TABLE fm_dns_acls ADD KEY idx_acl_parent_id (acl_parent_id);
