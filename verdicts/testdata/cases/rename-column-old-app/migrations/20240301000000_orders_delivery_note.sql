-- migrate:up
ALTER TABLE orders RENAME COLUMN note TO delivery_note;

-- migrate:down
ALTER TABLE orders RENAME COLUMN delivery_note TO note;
