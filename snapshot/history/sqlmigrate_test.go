package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestSQLMigrate(t *testing.T) {
	sh := fixture(t, "gorp_migrations",
		"CREATE TABLE {db}.gorp_migrations (id varchar(255) NOT NULL PRIMARY KEY, applied_at datetime)",
		"INSERT INTO {db}.gorp_migrations VALUES ('2_users.sql', '2024-01-02 00:00:00'), ('1_init.sql', '2024-01-01 00:00:00')")
	check(t, sh, "sql-migrate", []history.Entry{
		{Version: "1_init.sql", AppliedAt: at("2024-01-01 00:00:00")},
		{Version: "2_users.sql", AppliedAt: at("2024-01-02 00:00:00")},
	})
}
