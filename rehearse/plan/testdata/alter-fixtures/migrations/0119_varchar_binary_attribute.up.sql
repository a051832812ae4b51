ALTER TABLE fx_varchar_binary_attribute MODIFY b varchar(20) BINARY;
