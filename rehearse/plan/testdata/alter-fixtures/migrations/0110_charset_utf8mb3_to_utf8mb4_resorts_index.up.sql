ALTER TABLE fx_charset_utf8mb3_to_utf8mb4_resorts_index MODIFY b varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
