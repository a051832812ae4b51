-- atlas:txmode none

ALTER TABLE orders MODIFY status VARCHAR(32) NOT NULL;
