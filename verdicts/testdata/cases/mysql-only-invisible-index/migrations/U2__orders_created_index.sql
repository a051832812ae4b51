DROP INDEX ix_orders_created ON orders;
