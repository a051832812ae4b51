ALTER TABLE fx_drop_indexed_column DROP COLUMN k;
