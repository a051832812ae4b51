ALTER TABLE fx_add_index_fulltext_table ADD INDEX i_n (n);
