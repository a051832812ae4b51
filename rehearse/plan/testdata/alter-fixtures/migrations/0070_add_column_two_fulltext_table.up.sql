ALTER TABLE fx_add_column_two_fulltext_table ADD COLUMN n int;
