CREATE INDEX i_a ON fx_create_index (a);
