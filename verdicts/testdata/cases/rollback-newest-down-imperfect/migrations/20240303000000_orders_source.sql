-- +goose Up
ALTER TABLE orders ADD COLUMN source VARCHAR(16) DEFAULT NULL, ADD INDEX ix_orders_source (source);

-- +goose Down
-- Forgets the column: only the index goes.
ALTER TABLE orders DROP INDEX ix_orders_source;
