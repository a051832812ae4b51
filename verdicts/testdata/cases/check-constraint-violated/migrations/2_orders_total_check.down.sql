ALTER TABLE orders DROP CONSTRAINT ck_orders_total;
