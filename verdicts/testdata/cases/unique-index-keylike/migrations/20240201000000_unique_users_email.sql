-- +goose Up
-- Every address is distinct already: make the database say so.
CREATE UNIQUE INDEX ux_users_email ON users (email);

-- +goose Down
DROP INDEX ux_users_email ON users;
