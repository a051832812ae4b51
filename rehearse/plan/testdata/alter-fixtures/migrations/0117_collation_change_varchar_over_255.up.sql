ALTER TABLE fx_collation_change_varchar_over_255 MODIFY b varchar(70) COLLATE utf8mb4_bin;
