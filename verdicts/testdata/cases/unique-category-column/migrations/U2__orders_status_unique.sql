ALTER TABLE orders DROP INDEX ux_orders_status;
