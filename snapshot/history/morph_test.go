package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

// Mattermost's morph table, as the Mattermost server creates it.
func TestMorph(t *testing.T) {
	sh := fixture(t, "db_migrations",
		"CREATE TABLE {db}.db_migrations (Version bigint(20) NOT NULL, Name varchar(64) NOT NULL, PRIMARY KEY (Version))",
		"INSERT INTO {db}.db_migrations VALUES (2, 'create_team_members'), (1, 'create_teams')")
	check(t, sh, "morph", []history.Entry{{Version: "1", Name: "create_teams"}, {Version: "2", Name: "create_team_members"}})
}
