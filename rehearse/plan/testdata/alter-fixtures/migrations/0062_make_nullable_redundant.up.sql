ALTER TABLE fx_make_nullable_redundant MODIFY c int NULL;
