ALTER TABLE fx_charset_utf8mb3_to_utf8mb4_over_255 MODIFY b varchar(70) CHARACTER SET utf8mb4;
