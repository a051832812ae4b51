ALTER TABLE fx_collation_change_indexed MODIFY b varchar(20) COLLATE utf8mb4_bin;
