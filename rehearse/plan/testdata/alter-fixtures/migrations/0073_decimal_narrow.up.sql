ALTER TABLE fx_decimal_narrow MODIFY amount decimal(10,2);
