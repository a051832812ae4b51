package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestGolangMigrate(t *testing.T) {
	sh := fixture(t, "schema_migrations",
		"CREATE TABLE {db}.schema_migrations (version bigint NOT NULL, dirty boolean NOT NULL, PRIMARY KEY (version))",
		"INSERT INTO {db}.schema_migrations VALUES (120, true)")
	check(t, sh, "golang-migrate", []history.Entry{{Version: "120", Dirty: true}})
}
