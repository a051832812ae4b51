ALTER TABLE fx_int_to_unsigned MODIFY a INT UNSIGNED;
