package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestRails(t *testing.T) {
	sh := fixture(t, "schema_migrations",
		"CREATE TABLE {db}.schema_migrations (version varchar(255) NOT NULL PRIMARY KEY)",
		"CREATE TABLE {db}.ar_internal_metadata (`key` varchar(255) NOT NULL PRIMARY KEY, value varchar(255), created_at datetime(6) NOT NULL, updated_at datetime(6) NOT NULL)",
		"INSERT INTO {db}.schema_migrations VALUES ('20230915120000'), ('20231001093000')")
	check(t, sh, "rails", []history.Entry{{Version: "20230915120000"}, {Version: "20231001093000"}})
}

// Rails without ar_internal_metadata is still told from dbmate by its
// varchar(255) (dbmate's is varchar(128)).
func TestRailsWithoutMetadata(t *testing.T) {
	sh := fixture(t, "schema_migrations",
		"CREATE TABLE {db}.schema_migrations (version varchar(255) NOT NULL PRIMARY KEY)")
	check(t, sh, "rails", nil)
}
