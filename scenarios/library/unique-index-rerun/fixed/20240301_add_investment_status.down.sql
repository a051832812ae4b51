ALTER TABLE investments DROP COLUMN status;
