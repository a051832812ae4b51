-- Revert shop:create_orders from mysql

DROP TABLE orders;
