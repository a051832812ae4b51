ALTER TABLE fx_add_two_columns ADD COLUMN n int, ADD COLUMN m datetime;
