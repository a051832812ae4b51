-- +goose Up
CREATE INDEX IF NOT EXISTS ix_orders_created ON orders (created_at);

-- +goose Down
DROP INDEX ix_orders_created ON orders;
