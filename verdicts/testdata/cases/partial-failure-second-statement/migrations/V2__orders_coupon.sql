ALTER TABLE orders ADD COLUMN coupon VARCHAR(32) DEFAULT NULL;
  ALTER TABLE orders ADD UNIQUE INDEX ux_orders_status (status);
