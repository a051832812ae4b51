ALTER TABLE fx_double_precision_scale MODIFY d DOUBLE(12,4);
