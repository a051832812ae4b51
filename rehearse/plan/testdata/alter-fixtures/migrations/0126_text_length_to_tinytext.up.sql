ALTER TABLE fx_text_length_to_tinytext MODIFY b text(50);
