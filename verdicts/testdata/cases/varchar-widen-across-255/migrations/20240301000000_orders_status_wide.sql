-- migrate:up
ALTER TABLE orders MODIFY status VARCHAR(100) NOT NULL;

-- migrate:down
ALTER TABLE orders MODIFY status VARCHAR(16) NOT NULL;
