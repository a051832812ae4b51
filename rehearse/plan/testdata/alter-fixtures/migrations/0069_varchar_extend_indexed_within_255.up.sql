ALTER TABLE fx_varchar_extend_indexed_within_255 MODIFY b varchar(60);
