package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestSequelize(t *testing.T) {
	sh := fixture(t, "SequelizeMeta",
		"CREATE TABLE {db}.SequelizeMeta (name varchar(255) COLLATE utf8mb3_unicode_ci NOT NULL, PRIMARY KEY (name))",
		"INSERT INTO {db}.SequelizeMeta VALUES ('20240101-create-user.js'), ('20240201-add-email.js')")
	check(t, sh, "sequelize", []history.Entry{{Version: "20240101-create-user.js"}, {Version: "20240201-add-email.js"}})
}
