ALTER TABLE fx_combo_drop_index DROP COLUMN a, ADD INDEX ix_b (b);
