-- +migrate Up
RENAME TABLE orders TO purchases;

-- +migrate Down
RENAME TABLE purchases TO orders;
