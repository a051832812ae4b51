-- Revert shop:orders_coupon from mysql

ALTER TABLE orders DROP COLUMN coupon;
