package snapshot_test

import (
	"database/sql"
	"regexp"
	"strings"
	"testing"
)

// startStatementLog switches on the server's statement history and empties
// it, so checkOnlyReads sees the statements sent after it.
func startStatementLog(t *testing.T, root *sql.DB) {
	t.Helper()
	grant(t, root, "UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME IN ('events_statements_current', 'events_statements_history_long')")
	grant(t, root, "TRUNCATE TABLE performance_schema.events_statements_history_long")
}

// checkOnlyReads reads every statement other connections sent since
// startStatementLog from the server's own statement history, and checks
// that each is a SELECT, SHOW, SET SESSION or USE without a locking clause:
// read-only by construction, proven by the server.
func checkOnlyReads(t *testing.T, root *sql.DB) {
	t.Helper()
	rows, err := root.Query(`SELECT h.SQL_TEXT FROM performance_schema.events_statements_history_long h
		WHERE h.SQL_TEXT IS NOT NULL AND h.SQL_TEXT NOT LIKE '%events_statements_history_long%'
		AND h.THREAD_ID <> (SELECT THREAD_ID FROM performance_schema.threads WHERE PROCESSLIST_ID = CONNECTION_ID())`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	allowed := regexp.MustCompile(`(?is)^\s*(SELECT|SHOW|SET\s+SESSION|USE|SET\s+STATEMENT\s+max_statement_time\s*=\s*[0-9.]+\s+FOR\s+SELECT)\b`)
	locking := regexp.MustCompile(`(?i)FOR\s+UPDATE|LOCK\s+IN\s+SHARE\s+MODE|FOR\s+SHARE`)
	n := 0
	for rows.Next() {
		var q string
		rows.Scan(&q)
		if strings.HasPrefix(q, "SET NAMES") || q == "" {
			continue // the driver's connection handshake
		}
		n++
		if !allowed.MatchString(q) || locking.MatchString(q) {
			t.Errorf("the capture sent a statement that is not a plain read: %s", q)
		}
	}
	if n < 20 {
		t.Errorf("only %d statements recorded: the check saw nothing", n)
	}
}
