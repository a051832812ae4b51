-- Split: one statement per migration, so a failure leaves the history
-- exact (everything before it recorded, nothing of it applied).
ALTER TABLE fm_dns_acls ADD acl_parent_id INT NOT NULL DEFAULT '0' AFTER server_serial_no;
