ALTER TABLE fx_collation_change_text MODIFY b text COLLATE utf8mb4_bin;
