package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestDbmate(t *testing.T) {
	sh := fixture(t, "schema_migrations",
		"CREATE TABLE {db}.schema_migrations (version varchar(128) NOT NULL PRIMARY KEY)",
		"INSERT INTO {db}.schema_migrations VALUES ('20240102030405'), ('20240101000000')")
	check(t, sh, "dbmate", []history.Entry{{Version: "20240101000000"}, {Version: "20240102030405"}})
}
