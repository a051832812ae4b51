ALTER TABLE investments DROP COLUMN settled_at;
