ALTER TABLE fx_type_narrow_int_to_smallint MODIFY a smallint;
