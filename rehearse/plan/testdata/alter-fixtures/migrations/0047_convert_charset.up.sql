ALTER TABLE fx_convert_charset CONVERT TO CHARACTER SET latin1;
