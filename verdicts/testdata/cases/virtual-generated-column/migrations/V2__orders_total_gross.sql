ALTER TABLE orders ADD COLUMN total_gross DECIMAL(12,2) AS (total * 1.2) VIRTUAL;
