ALTER TABLE fx_decimal_same_as_numeric MODIFY amount NUMERIC(14,2) NOT NULL;
