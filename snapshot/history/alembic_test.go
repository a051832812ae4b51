package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestAlembic(t *testing.T) {
	sh := fixture(t, "alembic_version",
		"CREATE TABLE {db}.alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
		"INSERT INTO {db}.alembic_version VALUES ('ae1027a6acf')")
	check(t, sh, "alembic", []history.Entry{{Version: "ae1027a6acf"}})
}
