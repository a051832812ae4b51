-- Release 1.9 no longer uses legacy_ref, so its migration drops it. But
-- release 1.8 -- still running during the deploy, and the version a
-- rollback of the app goes back to -- writes it on every insert.
ALTER TABLE invoices DROP COLUMN legacy_ref;
