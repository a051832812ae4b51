-- +migrate Up
ALTER TABLE orders ADD COLUMN public_id UUID DEFAULT NULL;

-- +migrate Down
ALTER TABLE orders DROP COLUMN public_id;
