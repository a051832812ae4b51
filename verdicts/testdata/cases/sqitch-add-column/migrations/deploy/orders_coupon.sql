-- Deploy shop:orders_coupon to mysql
-- requires: create_orders

ALTER TABLE orders ADD COLUMN coupon VARCHAR(32) NULL;
