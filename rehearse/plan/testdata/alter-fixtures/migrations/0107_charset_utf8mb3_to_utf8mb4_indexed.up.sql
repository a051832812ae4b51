ALTER TABLE fx_charset_utf8mb3_to_utf8mb4_indexed MODIFY b varchar(20) CHARACTER SET utf8mb4;
