package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestLiquibase(t *testing.T) {
	sh := fixture(t, "DATABASECHANGELOG",
		`CREATE TABLE {db}.DATABASECHANGELOG (ID varchar(255) NOT NULL, AUTHOR varchar(255) NOT NULL, FILENAME varchar(255) NOT NULL,
		  DATEEXECUTED datetime NOT NULL, ORDEREXECUTED int NOT NULL, EXECTYPE varchar(10) NOT NULL, MD5SUM varchar(35),
		  DESCRIPTION varchar(255), COMMENTS varchar(255), TAG varchar(255), LIQUIBASE varchar(20), CONTEXTS varchar(255),
		  LABELS varchar(255), DEPLOYMENT_ID varchar(10))`,
		`INSERT INTO {db}.DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, MD5SUM) VALUES
		  ('2', 'bob', 'db/changelog.sql', '2024-02-02 10:00:00', 2, 'FAILED', '9:bbb'),
		  ('1', 'ann', 'db/changelog.sql', '2024-02-01 10:00:00', 1, 'EXECUTED', '9:aaa')`)
	check(t, sh, "liquibase", []history.Entry{
		{Version: "1", Name: "db/changelog.sql::ann", Checksum: "9:aaa", AppliedAt: at("2024-02-01 10:00:00")},
		{Version: "2", Name: "db/changelog.sql::bob", Checksum: "9:bbb", AppliedAt: at("2024-02-02 10:00:00"), Failed: true},
	})
}
