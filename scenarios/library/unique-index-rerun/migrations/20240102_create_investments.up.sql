CREATE TABLE investments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_id INT UNSIGNED NOT NULL,
  fund_code CHAR(8) NOT NULL,
  trade_date DATE NOT NULL,
  units DECIMAL(18,6) NOT NULL,
  amount DECIMAL(14,2) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_investments_account_fund (account_id, fund_code),
  KEY idx_investments_trade_date (trade_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
