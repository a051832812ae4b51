DELETE FROM fm_dns_acls WHERE acl_name = 'default-group' AND acl_comment = 'Default ACL group';
