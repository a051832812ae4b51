ALTER TABLE fx_charset_named_same_as_table MODIFY b varchar(20) CHARACTER SET utf8mb4;
