ALTER TABLE fx_charset_utf8mb3_to_utf8mb4 MODIFY b varchar(20) CHARACTER SET utf8mb4;
