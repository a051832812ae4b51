ALTER TABLE fx_add_two_indexes ADD INDEX i_a (a), ADD INDEX i_b (b);
