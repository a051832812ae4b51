ALTER TABLE fx_drop_column DROP COLUMN a;
