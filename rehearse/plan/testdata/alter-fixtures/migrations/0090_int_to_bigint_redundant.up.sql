ALTER TABLE fx_int_to_bigint_redundant MODIFY a BIGINT;
