-- +goose Up
ALTER TABLE orders ADD COLUMN channel VARCHAR(16) DEFAULT NULL;

-- +goose Down
ALTER TABLE orders DROP COLUMN channel;
