ALTER TABLE fx_combo_drop_rename DROP COLUMN a, RENAME COLUMN b TO b2;
