package snapshot_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// lockBudgetRows is the size of the table the lock-budget test reads
// (REHEARSE_LOCK_BUDGET_ROWS overrides it for a bigger run).
func lockBudgetRows() int {
	if n, err := strconv.Atoi(os.Getenv("REHEARSE_LOCK_BUDGET_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// lockBudget is the --max-lock-hold the test runs with: 500 ms, below the
// time one COUNT(*) of the table holds its lock, so the test fails when a
// statement reads too long (REHEARSE_LOCK_BUDGET sets another, e.g. the
// default 2s for scripts/bench.d/lockbudget.sh).
func lockBudget() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("REHEARSE_LOCK_BUDGET")); err == nil && d > 0 {
		return d
	}
	return 500 * time.Millisecond
}

// TestLockBudget: while `snapshot --column-stats --exact-counts` reads a
// 1M-row table, a DDL issued on the source over and over waits for its
// metadata lock at most the budget (--max-lock-hold) — even through a DSN
// that asks for autocommit=0, which would otherwise hold every lock to the
// end of the capture. The count stays exact and the column statistics stay
// close to a full scan's. On MariaDB 10.11 and MySQL 9.7. In the default
// run: the lock budget is the "never harm a server" promise (43 s here).
func TestLockBudget(t *testing.T) {
	rows := lockBudgetRows()
	for _, tgt := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(tgt.Name, func(t *testing.T) {
			srv := testserver.Start(t, tgt)
			root, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			fillBig(t, root, rows)

			// The DDL: dictionary-only (INSTANT on both flavors). Its wait for
			// the metadata lock is read from the server's own stage timings
			// (performance_schema, stage "Waiting for table metadata lock"),
			// and so are the capture's statement durations.
			testserver.Exec(t, root,
				"UPDATE performance_schema.setup_instruments SET ENABLED = 'NO', TIMED = 'NO' WHERE NAME LIKE 'stage/%'",
				"UPDATE performance_schema.setup_instruments SET ENABLED = 'YES', TIMED = 'YES' WHERE NAME = 'stage/sql/Waiting for table metadata lock'",
				"UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME IN ('events_statements_current', 'events_statements_history_long', 'events_stages_current', 'events_stages_history_long')")
			ddlConn, err := root.Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer ddlConn.Close()
			var ddlThread int64
			if err := ddlConn.QueryRowContext(context.Background(), "SELECT THREAD_ID FROM performance_schema.threads WHERE PROCESSLIST_ID = CONNECTION_ID()").Scan(&ddlThread); err != nil {
				t.Fatal(err)
			}
			if _, err := ddlConn.ExecContext(context.Background(), "SET SESSION lock_wait_timeout = 120"); err != nil {
				t.Fatal(err)
			}
			n := 0
			ddl := func() {
				n++
				if _, err := ddlConn.ExecContext(context.Background(), fmt.Sprintf("ALTER TABLE app.big ALTER COLUMN a SET DEFAULT %d, ALGORITHM=INSTANT", n)); err != nil {
					t.Fatalf("DDL: %v", err)
				}
			}
			testserver.Exec(t, root, "TRUNCATE TABLE performance_schema.events_stages_history_long", "TRUNCATE TABLE performance_schema.events_statements_history_long")

			// The capture's connection asks for autocommit=0.
			cfg, err := mysql.ParseDSN(srv.DSN())
			if err != nil {
				t.Fatal(err)
			}
			cfg.Params = map[string]string{"autocommit": "0"}
			conn, err := mysql.NewConnector(cfg)
			if err != nil {
				t.Fatal(err)
			}
			capDB := sql.OpenDB(conn)
			defer capDB.Close()

			budget := lockBudget()
			type result struct {
				snap *snapshot.Snapshot
				err  error
				took time.Duration
			}
			done := make(chan result, 1)
			start := time.Now()
			go func() {
				s, err := snapshot.Capture(context.Background(), capDB, snapshot.CaptureOptions{Databases: []string{"app"},
					ColumnStats: true, ExactCounts: true, MaxLockHold: budget, Log: logWriter{t}})
				done <- result{s, err, time.Since(start)}
			}()
			ddls := 0
			var res result
		loop:
			for {
				select {
				case res = <-done:
					break loop
				default:
				}
				ddl()
				ddls++
				time.Sleep(10 * time.Millisecond)
			}
			if res.err != nil {
				t.Fatalf("capture: %v", res.err)
			}
			waits := durations(t, root, fmt.Sprintf(`SELECT g.TIMER_WAIT FROM performance_schema.events_stages_history_long g
				WHERE g.THREAD_ID = %d AND g.EVENT_NAME = 'stage/sql/Waiting for table metadata lock'`, ddlThread))
			reads := durations(t, root, `SELECT TIMER_WAIT FROM performance_schema.events_statements_history_long
				WHERE SQL_TEXT LIKE '%MAX_EXECUTION_TIME(%' OR SQL_TEXT LIKE 'SET STATEMENT max_statement_time%'`) // every statement bounded by the budget
			if len(reads) == 0 {
				t.Fatal("no statement of the capture found in the server's history")
			}
			worst := time.Duration(0)
			if len(waits) > 0 {
				worst = waits[len(waits)-1]
			}
			longest := reads[len(reads)-1]
			t.Logf("BENCH lockbudget %s: %d rows, capture %.2fs with --max-lock-hold %s: %d statements read rows, longest %s; %d DDLs during it, %d waited for the metadata lock: median %s, max %s",
				tgt.Name, rows, res.took.Seconds(), budget, len(reads), longest.Round(time.Millisecond), ddls, len(waits),
				median(waits).Round(time.Millisecond), worst.Round(time.Millisecond))
			// The server stops a statement at the budget; one that reaches it
			// is cleaned up in a few milliseconds. Allow 5% of the budget.
			limit := budget + budget/20
			if longest > limit {
				t.Errorf("a statement of the capture read rows for %s: more than the budget %s", longest, budget)
			}
			if worst > limit {
				t.Errorf("a DDL waited %s for its metadata lock: more than the budget %s", worst, budget)
			}
			if ddls < 5 || len(waits) == 0 {
				t.Fatalf("only %d DDLs ran during the capture and %d waited: the table is too small to show anything", ddls, len(waits))
			}

			tb := res.snap.Table("app", "big")
			if tb.Stats.ExactRows == nil || *tb.Stats.ExactRows != int64(rows) {
				t.Errorf("exact_rows = %v, want %d", tb.Stats.ExactRows, rows)
			}
			compareWithFullScan(t, root, tb, rows)
		})
	}
}

// fillBig creates app.big with rows rows whose columns have known
// distributions, some correlated with the primary key (as created_at is).
func fillBig(t *testing.T, db *sql.DB, rows int) {
	t.Helper()
	side := 1000
	for side*side < rows {
		side *= 2
	}
	testserver.Exec(t, db, "CREATE DATABASE app",
		`CREATE TABLE app.big (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, a int NOT NULL DEFAULT 0, s varchar(40) NOT NULL,
		  ts datetime NOT NULL, n int NULL, KEY (a))`)
	q := fmt.Sprintf(`INSERT INTO app.big (a, s, ts, n)
		WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d)
		SELECT i %% 100, CONCAT('user-', LPAD(i, 1 + i %% 20, 'x')), '2020-01-01' + INTERVAL i MINUTE, IF(i %% 10 = 0, NULL, i %% 5000)
		FROM (SELECT x.i * %d + y.i AS i FROM c x, c y) ids WHERE i < %d ORDER BY i`, side-1, side, rows)
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("fill: %v", err)
	}
	testserver.Exec(t, db, "ANALYZE TABLE app.big")
}

// compareWithFullScan checks the sampled column statistics against the
// same aggregates over the whole table.
func compareWithFullScan(t *testing.T, db *sql.DB, tb *snapshot.Table, rows int) {
	t.Helper()
	var nullN, distA, maxS int64
	var minTS, maxTS string
	if err := db.QueryRow(`SELECT SUM(n IS NULL), COUNT(DISTINCT a), MAX(CHAR_LENGTH(s)), CAST(MIN(ts) AS CHAR), CAST(MAX(ts) AS CHAR) FROM app.big`).
		Scan(&nullN, &distA, &maxS, &minTS, &maxTS); err != nil {
		t.Fatal(err)
	}
	col := func(name string) *snapshot.ColumnStats {
		for _, c := range tb.Columns {
			if c.Name == name {
				return c.Stats
			}
		}
		t.Fatalf("no column %s", name)
		return nil
	}
	for _, c := range tb.Columns {
		if c.Stats == nil {
			t.Fatalf("column %s has no statistics", c.Name)
		}
	}
	fullNull := float64(nullN) / float64(rows)
	n, a, s, ts, id := col("n"), col("a"), col("s"), col("ts"), col("id")
	t.Logf("BENCH lockbudget full scan vs sample (%d rows): n null fraction %.4f vs %.4f; a distinct %d vs %d; s max length %d vs %d; ts %s..%s vs %s..%s; id distinct %d vs %d",
		n.SampleRows, fullNull, n.NullFraction, distA, a.Distinct, maxS, s.Length.Max, minTS, maxTS, deref(ts.Min), deref(ts.Max), rows, id.Distinct)
	if d := n.NullFraction - fullNull; d > 0.02 || d < -0.02 {
		t.Errorf("null fraction of n: sample %.4f, full scan %.4f", n.NullFraction, fullNull)
	}
	if a.Distinct != distA {
		t.Errorf("distinct a: sample %d, full scan %d", a.Distinct, distA)
	}
	if s.Length.Max != maxS {
		t.Errorf("max length of s: sample %d, full scan %d", s.Length.Max, maxS)
	}
	// ts grows with the key: a sample of the first rows only would end
	// after its first few thousand minutes. The spread sample reaches the
	// last tenth of the range.
	first, _ := time.Parse(time.DateTime, minTS)
	last, _ := time.Parse(time.DateTime, maxTS)
	got, err := time.Parse(time.DateTime, deref(ts.Max))
	if err != nil || got.Sub(first) < last.Sub(first)*9/10 {
		t.Errorf("sampled ts max %s: the sample does not reach the end of the table (%s..%s)", deref(ts.Max), minTS, maxTS)
	}
	if id.Distinct < int64(rows)*9/10 {
		t.Errorf("distinct id %d, want about %d (a unique key)", id.Distinct, rows)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// logWriter sends a capture's log lines to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// durations runs a query of picosecond timer values and returns them sorted.
func durations(t *testing.T, db *sql.DB, q string) []time.Duration {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var ps sql.NullInt64
		if err := rows.Scan(&ps); err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Duration(ps.Int64/1000))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[len(d)/2]
}
