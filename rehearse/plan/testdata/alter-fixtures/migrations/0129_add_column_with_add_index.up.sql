ALTER TABLE fx_combo_add_index ADD COLUMN c int NULL, ADD INDEX ix_b (b);
