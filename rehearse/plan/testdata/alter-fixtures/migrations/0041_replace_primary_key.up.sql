ALTER TABLE fx_replace_primary_key DROP PRIMARY KEY, ADD PRIMARY KEY (id, a);
