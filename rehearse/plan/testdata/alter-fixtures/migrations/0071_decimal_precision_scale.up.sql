ALTER TABLE fx_decimal_precision_scale MODIFY amount DECIMAL(18,4) NOT NULL;
