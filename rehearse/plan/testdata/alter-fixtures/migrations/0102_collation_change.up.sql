ALTER TABLE fx_collation_change MODIFY b varchar(20) COLLATE utf8mb4_bin;
