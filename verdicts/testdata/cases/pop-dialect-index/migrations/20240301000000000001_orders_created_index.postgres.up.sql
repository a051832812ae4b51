CREATE INDEX CONCURRENTLY ix_orders_created ON orders (created_at);
