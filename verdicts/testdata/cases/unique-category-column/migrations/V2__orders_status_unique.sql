ALTER TABLE orders ADD UNIQUE INDEX ux_orders_status (status);
