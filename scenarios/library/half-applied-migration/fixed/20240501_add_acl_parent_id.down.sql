ALTER TABLE fm_dns_acls DROP COLUMN acl_parent_id;
