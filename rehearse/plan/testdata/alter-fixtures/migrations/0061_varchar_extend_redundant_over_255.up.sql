ALTER TABLE fx_varchar_extend_redundant_over_255 MODIFY s varchar(100);
