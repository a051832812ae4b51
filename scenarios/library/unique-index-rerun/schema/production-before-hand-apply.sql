-- Production before anyone touched it by hand: the history says 20240301
-- and the schema agrees (no fund_prices; the unique key is
-- (account_id, fund_code)). The fixed variant lets the runner apply
-- 20240305 and 20240306, so the history records them.
CREATE TABLE accounts (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email VARCHAR(191) NOT NULL,
  name VARCHAR(100) NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_accounts_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE investments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_id INT UNSIGNED NOT NULL,
  fund_code CHAR(8) NOT NULL,
  trade_date DATE NOT NULL,
  units DECIMAL(18,6) NOT NULL,
  amount DECIMAL(14,2) NOT NULL,
  status ENUM('pending','settled','cancelled') NOT NULL DEFAULT 'pending',
  PRIMARY KEY (id),
  UNIQUE KEY uq_investments_account_fund (account_id, fund_code),
  KEY idx_investments_trade_date (trade_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE schema_migrations (
  version BIGINT NOT NULL,
  dirty TINYINT(1) NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO schema_migrations (version, dirty) VALUES (20240301, 0);
