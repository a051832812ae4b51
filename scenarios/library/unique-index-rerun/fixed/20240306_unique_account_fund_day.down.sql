ALTER TABLE investments
  DROP INDEX uq_investments_account_fund,
  ADD UNIQUE INDEX uq_investments_account_fund (account_id, fund_code),
  ALGORITHM=INPLACE, LOCK=NONE;
