ALTER TABLE fx_text_length_same_type MODIFY b text(100);
