-- +goose Up
ALTER TABLE orders ADD COLUMN currency CHAR(3) NOT NULL;

-- +goose Down
ALTER TABLE orders DROP COLUMN currency;
