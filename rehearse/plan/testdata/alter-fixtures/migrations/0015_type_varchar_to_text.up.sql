ALTER TABLE fx_type_varchar_to_text MODIFY b text;
