ALTER TABLE fx_float_to_double_by_precision MODIFY d float(30);
