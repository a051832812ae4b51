ALTER TABLE fx_varchar_utf8mb3_within_255 MODIFY b varchar(85);
