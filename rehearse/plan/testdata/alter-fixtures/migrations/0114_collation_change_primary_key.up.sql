ALTER TABLE fx_collation_change_primary_key MODIFY b varchar(20) NOT NULL COLLATE utf8mb4_bin;
