ALTER TABLE fx_varchar_extend_over_255_bytes MODIFY s varchar(100);
