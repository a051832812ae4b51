-- migrate:up
ALTER TABLE orders MODIFY note VARCHAR(200) NOT NULL;

-- migrate:down
ALTER TABLE orders MODIFY note VARCHAR(200) DEFAULT NULL;
