-- Verify shop:create_orders on mysql

SELECT id, customer_id, status, total, note, created_at FROM orders WHERE 0;
