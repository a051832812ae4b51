SET SESSION foreign_key_checks = OFF;
ALTER TABLE fx_add_foreign_key_unchecked_off ADD CONSTRAINT fk_fx_add_foreign_key_unchecked_off_p FOREIGN KEY (p) REFERENCES fx_parent (id);
SET SESSION foreign_key_checks = ON;
