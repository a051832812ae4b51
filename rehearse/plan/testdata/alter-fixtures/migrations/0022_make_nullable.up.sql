ALTER TABLE fx_make_nullable MODIFY c int NULL DEFAULT 0;
