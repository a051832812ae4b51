ALTER TABLE fx_column_charset MODIFY b varchar(20) CHARACTER SET latin1;
