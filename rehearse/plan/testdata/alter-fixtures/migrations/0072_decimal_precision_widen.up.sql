ALTER TABLE fx_decimal_precision_widen MODIFY amount decimal(12,2);
