ALTER TABLE fx_varchar_extend_indexed_over_255 MODIFY s varchar(100);
