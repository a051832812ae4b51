ALTER TABLE fx_add_primary_key ADD PRIMARY KEY (id);
