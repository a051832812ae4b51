-- +goose Up
ALTER TABLE orders DROP COLUMN note;

-- +goose Down
ALTER TABLE orders ADD COLUMN note VARCHAR(200) DEFAULT NULL AFTER total;
