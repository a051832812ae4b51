ALTER TABLE fx_char_extend_latin1 MODIFY c CHAR(20);
