ALTER TABLE orders DROP INDEX ux_orders_status;
  ALTER TABLE orders DROP COLUMN coupon;
