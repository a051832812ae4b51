ALTER TABLE orders MODIFY status ENUM('new', 'paid', 'shipped') NOT NULL;
