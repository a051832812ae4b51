DROP TABLE fm_dns_acls;
