-- +goose Up
-- The new app keeps delivery notes elsewhere.
ALTER TABLE orders DROP COLUMN note;

-- +goose Down
ALTER TABLE orders ADD COLUMN note VARCHAR(200) DEFAULT NULL;
