-- Expand/contract, step 1 (release 1.9): make legacy_ref optional. 1.9
-- stops writing it; 1.8 can still write it, so the app can roll back. The
-- column is dropped in release 2.0 (step 2, in next/), once no running
-- version writes it.
ALTER TABLE invoices MODIFY legacy_ref VARCHAR(32) NULL DEFAULT NULL;
