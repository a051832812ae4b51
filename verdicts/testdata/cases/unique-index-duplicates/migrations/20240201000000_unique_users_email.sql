-- +goose Up
-- "Every address is distinct already": the author checked on staging.
CREATE UNIQUE INDEX ux_users_email ON users (email);

-- +goose Down
DROP INDEX ux_users_email ON users;
