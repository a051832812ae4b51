ALTER TABLE fx_float_precision_scale MODIFY d float(9,3);
