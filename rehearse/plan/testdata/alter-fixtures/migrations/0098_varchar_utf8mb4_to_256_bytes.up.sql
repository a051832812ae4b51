ALTER TABLE fx_varchar_utf8mb4_to_256_bytes MODIFY b varchar(64);
