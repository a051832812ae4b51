ALTER TABLE fx_drop_foreign_key DROP FOREIGN KEY fk_fx_drop_foreign_key_p;
