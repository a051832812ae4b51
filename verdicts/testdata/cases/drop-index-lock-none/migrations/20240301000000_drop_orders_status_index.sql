-- migrate:up
-- Nobody filters by status any more; drop the index without blocking writes.
DROP INDEX ix_orders_status ON orders LOCK=NONE;

-- migrate:down
CREATE INDEX ix_orders_status ON orders (status) LOCK=NONE;
