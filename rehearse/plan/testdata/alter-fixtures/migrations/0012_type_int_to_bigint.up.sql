ALTER TABLE fx_type_int_to_bigint MODIFY a bigint;
