ALTER TABLE fx_drop_primary_key DROP PRIMARY KEY;
