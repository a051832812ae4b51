ALTER TABLE fx_char_narrow MODIFY c CHAR(10);
