// Package migrations reads a folder of migrations in any of the common
// formats (golang-migrate, goose, dbmate, Flyway, Liquibase formatted SQL,
// sql-migrate) into one ordered list of Migrations whose up and down
// statements carry their file and line, and runs migrations that are code
// (Sequelize, Rails, Knex, Django, Alembic, the Flyway/Liquibase CLIs)
// through the user's own command.
//
// Each format is one small file registered in a registry; the format is
// detected from file names and contents or named by the caller. Ordering is
// the runner's own. Problems a release can live with (an up without a down,
// an empty down) are returned as Problems; input that cannot be read as
// migrations (no migrations, two files with one version, a name the format
// cannot parse, a binary or oversized file, an unterminated string) is an
// error naming the file and line, with a hint.
package migrations
