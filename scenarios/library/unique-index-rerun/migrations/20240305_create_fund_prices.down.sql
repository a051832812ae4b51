DROP TABLE IF EXISTS fund_prices;
