-- migrate:up
-- Idempotent, so a re-run after a failed deploy is harmless.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS coupon VARCHAR(32) NULL;

-- migrate:down
ALTER TABLE orders DROP COLUMN coupon;
