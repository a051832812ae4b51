ALTER TABLE fx_int_display_width MODIFY a INT(5);
