ALTER TABLE fx_collation_change_not_null MODIFY b varchar(20) COLLATE utf8mb4_bin NOT NULL;
