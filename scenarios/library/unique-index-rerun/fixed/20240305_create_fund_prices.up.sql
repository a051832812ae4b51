CREATE TABLE fund_prices (
  fund_code CHAR(8) NOT NULL,
  price_date DATE NOT NULL,
  nav DECIMAL(18,6) NOT NULL,
  PRIMARY KEY (fund_code, price_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
