-- +goose Up
ALTER TABLE orders ADD COLUMN channel VARCHAR(16) DEFAULT NULL, ADD INDEX ix_orders_created (created_at);

-- +goose Down
ALTER TABLE orders DROP INDEX ix_orders_created, DROP COLUMN channel;
