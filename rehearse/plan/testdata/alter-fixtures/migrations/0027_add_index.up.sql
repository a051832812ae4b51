ALTER TABLE fx_add_index ADD INDEX i_a (a);
