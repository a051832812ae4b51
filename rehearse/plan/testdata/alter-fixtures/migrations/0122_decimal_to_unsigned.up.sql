ALTER TABLE fx_decimal_to_unsigned MODIFY amount decimal(10,2) UNSIGNED;
