ALTER TABLE fx_varchar_latin1_short_over_255 MODIFY b varchar(300);
