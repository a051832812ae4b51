-- +goose Up
ALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total >= 0);

-- +goose Down
ALTER TABLE orders DROP CONSTRAINT ck_orders_total;
