-- +goose Up
ALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id);

-- +goose Down
ALTER TABLE orders DROP FOREIGN KEY fk_orders_customer;
