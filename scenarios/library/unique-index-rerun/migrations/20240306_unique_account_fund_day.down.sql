DROP INDEX uq_investments_account_fund ON investments;
CREATE UNIQUE INDEX uq_investments_account_fund ON investments (account_id, fund_code);
