CREATE UNIQUE INDEX u_a ON fx_create_unique_index (a);
