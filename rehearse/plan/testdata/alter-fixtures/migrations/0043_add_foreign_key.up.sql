ALTER TABLE fx_add_foreign_key ADD CONSTRAINT fk_fx_add_foreign_key_p FOREIGN KEY (p) REFERENCES fx_parent (id);
