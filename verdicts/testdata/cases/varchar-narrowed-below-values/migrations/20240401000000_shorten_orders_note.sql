-- migrate:up
-- Notes are short in the new UI; save space.
ALTER TABLE orders MODIFY note VARCHAR(20) DEFAULT NULL;

-- migrate:down
ALTER TABLE orders MODIFY note VARCHAR(200) DEFAULT NULL;
