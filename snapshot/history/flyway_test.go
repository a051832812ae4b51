package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestFlyway(t *testing.T) {
	sh := fixture(t, "flyway_schema_history",
		`CREATE TABLE {db}.flyway_schema_history (installed_rank int NOT NULL, version varchar(50), description varchar(200) NOT NULL,
		  type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
		  installed_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time int NOT NULL, success tinyint(1) NOT NULL,
		  PRIMARY KEY (installed_rank))`,
		"SET time_zone = '+00:00'",
		`INSERT INTO {db}.flyway_schema_history VALUES
		  (0, NULL, '<< Flyway Schema Creation >>', 'SCHEMA', '', NULL, 'x', '2024-01-01 00:00:00', 0, 1),
		  (1, '1', 'init', 'SQL', 'V1__init.sql', 123, 'x', '2024-01-02 00:00:00', 5, 1),
		  (2, '1.1', 'add users', 'SQL', 'V1_1__add_users.sql', -9, 'x', '2024-01-03 00:00:00', 5, 0),
		  (3, NULL, 'views', 'SQL', 'R__views.sql', 77, 'x', '2024-01-04 00:00:00', 1, 1)`)
	check(t, sh, "flyway", []history.Entry{
		{Version: "1", Name: "init", Checksum: "123", AppliedAt: at("2024-01-02 00:00:00")},
		{Version: "1.1", Name: "add users", Checksum: "-9", AppliedAt: at("2024-01-03 00:00:00"), Failed: true},
		{Version: "R:views", Name: "views", Checksum: "77", AppliedAt: at("2024-01-04 00:00:00")},
	})
}
