-- Brings the column back with its definition, but empty: the data is gone.
ALTER TABLE invoices ADD COLUMN legacy_ref VARCHAR(32) NOT NULL AFTER currency;
