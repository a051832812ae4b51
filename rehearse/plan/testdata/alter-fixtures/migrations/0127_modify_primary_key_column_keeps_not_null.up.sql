ALTER TABLE fx_modify_primary_key_column_keeps_not_null MODIFY a varchar(40);
