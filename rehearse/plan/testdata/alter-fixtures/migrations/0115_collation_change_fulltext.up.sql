ALTER TABLE fx_collation_change_fulltext MODIFY b varchar(20) COLLATE utf8mb4_bin;
