ALTER TABLE fx_bit_widen MODIFY f BIT(8);
