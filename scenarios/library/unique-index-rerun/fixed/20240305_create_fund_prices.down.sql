DROP TABLE fund_prices;
