package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

// goose keeps a log: version 3 was applied then rolled back (its latest row
// says is_applied=0), so only 1 and 2 are applied; 0 is the bootstrap row.
func TestGoose(t *testing.T) {
	sh := fixture(t, "goose_db_version",
		"CREATE TABLE {db}.goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL DEFAULT now(), PRIMARY KEY(id))",
		"SET time_zone = '+00:00'",
		`INSERT INTO {db}.goose_db_version (version_id, is_applied, tstamp) VALUES (0, 1, '2024-01-01 00:00:00'),
		 (1, 1, '2024-01-02 00:00:00'), (2, 1, '2024-01-03 00:00:00'), (3, 1, '2024-01-04 00:00:00'), (3, 0, '2024-01-05 00:00:00')`)
	check(t, sh, "goose", []history.Entry{
		{Version: "1", AppliedAt: at("2024-01-02 00:00:00")},
		{Version: "2", AppliedAt: at("2024-01-03 00:00:00")},
	})
}
