ALTER TABLE fx_charset_utf8mb3_to_utf8mb4_char MODIFY c char(10) CHARACTER SET utf8mb4;
