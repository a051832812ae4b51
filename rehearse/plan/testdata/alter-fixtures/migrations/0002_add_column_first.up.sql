ALTER TABLE fx_add_column_first ADD COLUMN n int FIRST;
