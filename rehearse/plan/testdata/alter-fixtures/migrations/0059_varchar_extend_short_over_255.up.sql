ALTER TABLE fx_varchar_extend_short_over_255 MODIFY b varchar(100);
