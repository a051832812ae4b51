ALTER TABLE fx_varchar_column_charset_dropped MODIFY b varchar(100);
