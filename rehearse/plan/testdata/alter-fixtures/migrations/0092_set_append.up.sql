ALTER TABLE fx_set_append MODIFY s SET('a','b','c');
