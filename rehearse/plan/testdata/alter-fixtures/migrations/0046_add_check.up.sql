ALTER TABLE fx_add_check ADD CONSTRAINT ck_fx_add_check_c CHECK (c >= 0);
