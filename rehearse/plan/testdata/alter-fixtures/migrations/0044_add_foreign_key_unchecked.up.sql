SET foreign_key_checks = 0;
ALTER TABLE fx_add_foreign_key_unchecked ADD CONSTRAINT fk_fx_add_foreign_key_unchecked_p FOREIGN KEY (p) REFERENCES fx_parent (id);
SET foreign_key_checks = 1;
