-- Verify shop:orders_coupon on mysql

SELECT coupon FROM orders WHERE 0;
