ALTER TABLE fx_varchar_narrow MODIFY s varchar(30);
