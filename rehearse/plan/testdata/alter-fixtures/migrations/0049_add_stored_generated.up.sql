ALTER TABLE fx_add_stored_generated ADD COLUMN g int AS (a + 1) STORED;
