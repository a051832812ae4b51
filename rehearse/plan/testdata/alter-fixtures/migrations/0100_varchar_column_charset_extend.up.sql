ALTER TABLE fx_varchar_column_charset_extend MODIFY b varchar(200) CHARACTER SET latin1;
