ALTER TABLE fm_dns_acls DROP KEY idx_acl_parent_id;
DELETE FROM fm_dns_acls WHERE acl_comment = 'Default ACL group';
ALTER TABLE fm_dns_acls DROP COLUMN acl_parent_id;
