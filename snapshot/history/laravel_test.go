package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestLaravel(t *testing.T) {
	sh := fixture(t, "migrations",
		"CREATE TABLE {db}.migrations (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, migration varchar(255) NOT NULL, batch int NOT NULL)",
		"INSERT INTO {db}.migrations (migration, batch) VALUES ('2014_10_12_000000_create_users_table', 1), ('2024_01_01_000000_add_phone', 2)")
	check(t, sh, "laravel", []history.Entry{
		{Version: "2014_10_12_000000_create_users_table", Name: "batch 1"},
		{Version: "2024_01_01_000000_add_phone", Name: "batch 2"},
	})
}

// A table called migrations that is not Laravel's is not claimed.
func TestMigrationsTableOfAnotherShape(t *testing.T) {
	notDetected(t, fixture(t, "migrations", "CREATE TABLE {db}.migrations (id int PRIMARY KEY, title varchar(20))"))
}
