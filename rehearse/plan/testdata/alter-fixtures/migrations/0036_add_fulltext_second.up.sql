ALTER TABLE fx_add_fulltext_second ADD FULLTEXT KEY ft_b (b);
