ALTER TABLE fx_type_int_to_varchar MODIFY a varchar(20);
