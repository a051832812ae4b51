ALTER TABLE fx_change_column_rename_same_type CHANGE b b2 varchar(20);
