ALTER TABLE fx_add_unique ADD UNIQUE KEY u_a (a);
