ALTER TABLE fx_bigint_unsigned_to_signed MODIFY a BIGINT;
