ALTER TABLE fx_add_column_not_null_default ADD COLUMN n varchar(10) NOT NULL DEFAULT 'x';
