-- Applied by hand on production in March; the runner's history never
-- recorded it. IF NOT EXISTS makes the re-run a silent no-op.
CREATE TABLE IF NOT EXISTS fund_prices (
  fund_code CHAR(8) NOT NULL,
  price_date DATE NOT NULL,
  nav DECIMAL(18,6) NOT NULL,
  PRIMARY KEY (fund_code, price_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
