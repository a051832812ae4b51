package snapshot_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// TestCaptureBehindAQueuedDDL: a snapshot taken while a DDL waits for a
// table's metadata lock (a transaction holds it; the DDL queues, and every
// new reader of the table queues behind the DDL). The capture's reads of
// that table give up at the budget, once each, say why (the metadata lock,
// not a missing key or a slow sample: lock_wait_timeout is under the
// budget, so the wait fails as one), keep the estimate, and the capture
// completes; the DDL is still waiting, never behind rehearse. MariaDB 10.11
// and MySQL 9.7.
func TestCaptureBehindAQueuedDDL(t *testing.T) {
	for _, tgt := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(tgt.Name, func(t *testing.T) {
			srv := testserver.Start(t, tgt)
			db, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			testserver.Exec(t, db, "CREATE DATABASE app",
				"CREATE TABLE app.t (id int PRIMARY KEY, v varchar(10))",
				"INSERT INTO app.t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
				"CREATE TABLE app.free (id int PRIMARY KEY)",
				"INSERT INTO app.free VALUES (1)")
			ctx := context.Background()
			holder, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer holder.Close()
			mustConnExec(t, holder, "BEGIN", "SELECT COUNT(*) FROM app.t")
			ddl, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer ddl.Close()
			ddlDone := make(chan error, 1)
			go func() {
				_, err := ddl.ExecContext(ctx, "ALTER TABLE app.t ADD COLUMN w int")
				ddlDone <- err
			}()
			waitFor(t, db, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock'")

			var log strings.Builder
			start := time.Now()
			snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"app"}, ExactCounts: true, ColumnStats: true,
				MaxLockHold: 2 * time.Second, Log: &log}) // the default
			took := time.Since(start)
			if err != nil {
				t.Fatalf("capture: %v\n%s", err, log.String())
			}
			t.Logf("capture behind the queued DDL: %s\n%s", took.Round(time.Millisecond), log.String())
			if snap.Table("app", "t").Stats.ExactRows != nil {
				t.Errorf("app.t counted through the queued DDL")
			}
			if f := snap.Table("app", "free"); f.Stats.ExactRows == nil || *f.Stats.ExactRows != 1 {
				t.Errorf("app.free: exact rows %v, want 1", f.Stats.ExactRows)
			}
			for _, want := range []string{"--exact-counts: app.t", "--column-stats: app.t"} {
				if !strings.Contains(log.String(), want) {
					t.Errorf("no warning %q:\n%s", want, log.String())
				}
			}
			if strings.Count(log.String(), "metadata lock") != 2 || strings.Contains(log.String(), "no primary or unique") || strings.Contains(log.String(), "even with") {
				t.Errorf("the warnings do not say the metadata lock was what stopped the reads (once each):\n%s", log.String())
			}
			// lock_wait_timeout is a second under the 2 s budget: two waits
			// of 1 s, the rest is catalog reads. One wait per read, not one
			// per retry (a retry with less rows waits the same).
			if took > 6*time.Second {
				t.Errorf("the capture took %s behind the queued DDL (retrying reads that wait for the lock)", took)
			}
			select {
			case err := <-ddlDone:
				t.Errorf("the DDL ended before the holder committed: %v", err)
			default:
			}
			mustConnExec(t, holder, "COMMIT")
			if err := <-ddlDone; err != nil {
				t.Errorf("the DDL: %v", err)
			}
		})
	}
}

func mustConnExec(t *testing.T, c *sql.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := c.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// waitFor polls q until it returns a count above 0 (10 s at most).
func waitFor(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := db.QueryRow(q).Scan(&n); err == nil && n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within 10 s: %s", q)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
