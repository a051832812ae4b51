ALTER TABLE fx_varchar_extend_within_255_bytes MODIFY b varchar(60);
