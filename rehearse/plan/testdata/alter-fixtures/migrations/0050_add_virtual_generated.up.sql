ALTER TABLE fx_add_virtual_generated ADD COLUMN g int AS (a + 1) VIRTUAL;
