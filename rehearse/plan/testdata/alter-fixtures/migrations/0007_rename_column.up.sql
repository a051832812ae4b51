ALTER TABLE fx_rename_column RENAME COLUMN a TO a2;
