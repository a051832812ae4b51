-- +migrate Up
ALTER TABLE orders ADD UNIQUE INDEX ux_orders_customer_created (customer_id, created_at);

-- +migrate Down
ALTER TABLE orders DROP INDEX ux_orders_customer_created;
