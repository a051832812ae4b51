ALTER TABLE fx_decimal_default_precision MODIFY amount DECIMAL;
