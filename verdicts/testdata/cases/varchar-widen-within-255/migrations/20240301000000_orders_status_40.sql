-- +migrate Up
ALTER TABLE orders MODIFY status VARCHAR(40) NOT NULL;

-- +migrate Down
ALTER TABLE orders MODIFY status VARCHAR(16) NOT NULL;
