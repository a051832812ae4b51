ALTER TABLE fx_add_fulltext_first ADD FULLTEXT KEY ft_s (s);
