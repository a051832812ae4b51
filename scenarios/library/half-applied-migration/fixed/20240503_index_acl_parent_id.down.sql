ALTER TABLE fm_dns_acls DROP KEY idx_acl_parent_id;
