ALTER TABLE fx_char_extend MODIFY c CHAR(20);
