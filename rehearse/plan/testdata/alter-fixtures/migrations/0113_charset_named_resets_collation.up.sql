ALTER TABLE fx_charset_named_resets_collation MODIFY b varchar(20) CHARACTER SET utf8mb4;
