ALTER TABLE fx_add_column_fulltext_table ADD COLUMN n int;
