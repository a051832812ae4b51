-- One trade per account, fund and day, applied by the runner (so the
-- history records it) as one online statement: the old key is replaced
-- atomically, writes keep flowing during the build (LOCK=NONE makes the
-- server refuse rather than silently block them), and the deploy sets a
-- short lock_wait_timeout so a long transaction cannot queue writers
-- behind it.
ALTER TABLE investments
  DROP INDEX uq_investments_account_fund,
  ADD UNIQUE INDEX uq_investments_account_fund (account_id, fund_code, trade_date),
  ALGORITHM=INPLACE, LOCK=NONE;
