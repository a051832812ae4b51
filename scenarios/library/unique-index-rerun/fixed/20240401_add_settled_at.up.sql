-- The release's own migration.
ALTER TABLE investments ADD COLUMN settled_at DATETIME NULL;
