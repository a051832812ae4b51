-- Expand/contract, step 2 (release 2.0, after every 1.8 instance is gone):
-- nothing writes legacy_ref any more, and the app can roll back to 1.9.
ALTER TABLE invoices DROP COLUMN legacy_ref;
