-- +goose Up
ALTER TABLE orders MODIFY customer_id BIGINT NOT NULL;

-- +goose Down
ALTER TABLE orders MODIFY customer_id INT NOT NULL;
