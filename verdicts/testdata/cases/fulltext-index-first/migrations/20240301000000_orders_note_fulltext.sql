-- migrate:up
ALTER TABLE orders ADD FULLTEXT INDEX ft_orders_note (note);

-- migrate:down
ALTER TABLE orders DROP INDEX ft_orders_note;
