ALTER TABLE fx_make_not_null MODIFY a int NOT NULL;
