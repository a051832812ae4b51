package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestKnex(t *testing.T) {
	sh := fixture(t, "knex_migrations",
		"CREATE TABLE {db}.knex_migrations (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(255), batch int, migration_time timestamp NULL)",
		"CREATE TABLE {db}.knex_migrations_lock (`index` int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, is_locked int)",
		"SET time_zone = '+00:00'",
		"INSERT INTO {db}.knex_migrations (name, batch, migration_time) VALUES ('20240101_init.js', 1, '2024-01-01 00:00:00')")
	check(t, sh, "knex", []history.Entry{{Version: "20240101_init.js", Name: "batch 1", AppliedAt: at("2024-01-01 00:00:00")}})
}
