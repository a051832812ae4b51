ALTER TABLE fx_rename_table RENAME TO fx_rename_table_renamed;
