ALTER TABLE fx_bit_narrow MODIFY f BIT(4);
