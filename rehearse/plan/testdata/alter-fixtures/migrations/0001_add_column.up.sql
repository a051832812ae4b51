ALTER TABLE fx_add_column ADD COLUMN n int;
