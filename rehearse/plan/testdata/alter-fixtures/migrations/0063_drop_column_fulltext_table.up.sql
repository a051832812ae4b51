ALTER TABLE fx_drop_column_fulltext_table DROP COLUMN n;
