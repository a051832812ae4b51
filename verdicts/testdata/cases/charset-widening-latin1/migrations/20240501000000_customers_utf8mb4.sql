-- migrate:up
-- Customers from everywhere: widen the character set.
ALTER TABLE customers MODIFY name VARCHAR(100) CHARACTER SET utf8mb4 NOT NULL;

-- migrate:down
-- Back to the table's default character set (latin1), as the column was.
ALTER TABLE customers MODIFY name VARCHAR(100) NOT NULL;
