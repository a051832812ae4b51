package run

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/load/loadtest"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// The source schema of these tests: what "production" looks like. The
// history says migrations 1 and 2 are applied.
const sourceDDL = `
CREATE DATABASE app;
CREATE TABLE app.investments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id INT NOT NULL,
  fund_code VARCHAR(12) NOT NULL,
  amount DECIMAL(14,2) NOT NULL,
  note VARCHAR(64) NULL,
  created_at DATETIME NOT NULL,
  KEY idx_account (account_id)
) ENGINE=InnoDB;
CREATE TABLE app.schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty TINYINT(1) NOT NULL);
INSERT INTO app.schema_migrations VALUES (2, 0);
`

// sourceSnapshot builds production's snapshot from a real server, with the
// row count set to rows (a schema-only capture has none).
func sourceSnapshot(t *testing.T, target testserver.Target, rows int64) *snapshot.Snapshot {
	t.Helper()
	return snapshotOf(t, target, sourceDDL, map[string]int64{"investments": rows})
}

// writeMigrations writes golang-migrate files: name -> content.
func writeMigrations(t *testing.T, files map[string]string) *migrations.Set {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func baseFiles() map[string]string {
	return map[string]string{
		"000001_init.up.sql":    "SELECT 1;",
		"000001_init.down.sql":  "SELECT 1;",
		"000002_fund.up.sql":    "SELECT 1;",
		"000002_fund.down.sql":  "SELECT 1;",
		"000003_index.up.sql":   "ALTER TABLE investments ADD COLUMN channel VARCHAR(16) NULL;\n",
		"000003_index.down.sql": "ALTER TABLE investments DROP COLUMN channel;\n",
	}
}

func rehearseRun(t *testing.T, target testserver.Target, snap *snapshot.Snapshot, set *migrations.Set, mod func(*Options)) *result.Report {
	t.Helper()
	o := Options{
		Snapshot: snap, Migrations: set, Engine: target.Engine, EngineOptions: target.Options,
		Scale: 1, Seed: 7, LoadRate: 200, Baseline: time.Second, AppCompatWindow: time.Second,
	}
	if testing.Verbose() {
		o.Log = os.Stderr
	}
	if mod != nil {
		mod(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	rep, err := Run(ctx, o)
	if err != nil {
		t.Fatalf("run: %v (%+v)", err, rep)
	}
	// The load's rows are datagen's rows past the generated ones: no
	// statement of it fails on a duplicate key or a missing parent (class
	// other), whatever the migrations do to its latency.
	for _, op := range rep.Load {
		if n := op.Errors["other"]; n > 0 {
			t.Errorf("load: %d of %d %s on %s failed with class other: %s", n, op.Ops, op.Kind, op.Table, op.SQL)
		}
	}
	return rep
}

func stmt(t *testing.T, rep *result.Report, version string, n int) result.Statement {
	t.Helper()
	for _, m := range rep.Migrations {
		if strings.TrimLeft(m.Version, "0") == strings.TrimLeft(version, "0") && n <= len(m.Statements) {
			return m.Statements[n-1]
		}
	}
	t.Fatalf("statement %s#%d not in the report", version, n)
	return result.Statement{}
}

// tolerance is the accuracy the rehearsal promises for waits and stalls
// (as in rehearse/locks' accuracy test); a test adds what the test process
// was measurably late by (loadtest.Probe), never a guessed window.
const tolerance = 50 * time.Millisecond

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// The seed incident, shrunk: a long transaction holds a shared metadata lock
// on investments; the ALTER waits behind it and every writer queues behind
// the ALTER. Then the fix: a 1 s lock_wait_timeout makes the ALTER give up
// and the writers resume. The truth the report's figures are held to: the
// ALTER waits from its start until the injected transaction ends (both
// in the report, timed by the rehearsal, not by the lock monitor), and with
// lock_wait_timeout=1 it waits the server's 1 s.
func TestLongTransactionPileUp(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			snap := sourceSnapshot(t, target, 2000)
			set := writeMigrations(t, baseFiles())
			inj, _ := ParseInjection("long-txn=investments:3s")
			stall, _ := ParseGate("max-writer-stall=1s")
			probe := loadtest.StartProbe(t)
			rep := rehearseRun(t, target, snap, set, func(o *Options) {
				o.Injections = []Injection{inj}
				o.Gates = []Gate{stall}
			})
			if got := rep.Inputs.MigrationIDs; len(got) != 1 || strings.TrimLeft(got[0], "0") != "3" {
				t.Fatalf("pending = %v, want [3]", got)
			}
			s := stmt(t, rep, "3", 1)
			if len(rep.Injections) != 1 {
				t.Fatalf("injections %+v, want the long transaction", rep.Injections)
			}
			truth := secs(rep.Injections[0].EndS - s.StartS) // from the ALTER's start to the transaction's end
			late := probe.Worst()
			if truth < 2*time.Second {
				t.Fatalf("the ALTER started %.3f s into a 3 s transaction that ended at %.3f s: it did not wait behind it", s.StartS, rep.Injections[0].EndS)
			}
			if d := secs(s.LockWaitS) - truth; d < -tolerance-late || d > tolerance+late {
				t.Errorf("DDL lock wait = %.3f s; it waited %.3f s from its start to the transaction's end (%+.0f ms; tolerance %v, test process late by up to %v)",
					s.LockWaitS, truth.Seconds(), ms(d), tolerance, late)
			}
			if !strings.Contains(s.BlockedBy, "long-txn") {
				t.Errorf("blocked by %q, want the injected transaction", s.BlockedBy)
			}
			if s.WritersBlocked == 0 || secs(s.LongestStallS) < truth-2*tolerance-late {
				t.Errorf("writers blocked %d, longest stall %.3f s: want writers queued behind the ALTER for about %.3f s", s.WritersBlocked, s.LongestStallS, truth.Seconds())
			}
			if rep.Verdict != result.Fail {
				t.Errorf("verdict %s, want fail (writers stalled past the 1 s gate)", rep.Verdict)
			}

			// The fix: lock_wait_timeout=1 s.
			rep = rehearseRun(t, target, snap, set, func(o *Options) {
				o.Injections = []Injection{inj}
				o.LockWaitTimeout = time.Second
			})
			s = stmt(t, rep, "3", 1)
			if s.ErrorCode != 1205 {
				t.Fatalf("with lock_wait_timeout=1s the ALTER ended with %d %q, want 1205", s.ErrorCode, s.Error)
			}
			late = probe.Worst()
			// The server gives up after exactly its lock_wait_timeout.
			if d := secs(s.LockWaitS) - time.Second; d < -tolerance-late || d > tolerance+late {
				t.Errorf("the ALTER's lock wait %.3f s, the server's lock_wait_timeout 1 s (tolerance %v, test process late by up to %v)", s.LockWaitS, tolerance, late)
			}
			if s.DurationS < s.LockWaitS {
				t.Errorf("the ALTER ran %.3f s, less than its own lock wait %.3f s", s.DurationS, s.LockWaitS)
			}
			// Writers resume when it gives up: none waited longer than it ran.
			if d := secs(s.LongestStallS - s.DurationS); d > tolerance+late {
				t.Errorf("writers stalled %.3f s behind an ALTER that gave up after %.3f s", s.LongestStallS, s.DurationS)
			}
		})
	}
}

// A type change copies the table on MariaDB 10.11 and blocks every writer
// for most of the copy.
func TestCopyBlocksWriters(t *testing.T) {
	target := testserver.LocalMariaDB()
	set := writeMigrations(t, copyFiles())
	// "Most of the copy" must mean more than the measurement's noise: the
	// 40% of the copy the stall may miss has to exceed the tolerance plus
	// the test process's measured lateness. A fast machine copies 300,000
	// rows too quickly for that; then the table grows until it does not.
	probe := loadtest.StartProbe(t)
	var rep *result.Report
	var s result.Statement
	for rows := int64(300000); ; {
		rep = rehearseRun(t, target, sourceSnapshot(t, target, rows), set, nil)
		s = stmt(t, rep, "3", 1)
		if s.Algorithm != "COPY" || s.RowsAffected < rows*5/6 {
			t.Fatalf("algorithm %q rows %d, want a COPY of the whole table (%d rows)", s.Algorithm, s.RowsAffected, rows)
		}
		need := (tolerance + probe.Worst()) * 5 / 2
		if secs(s.DurationS) >= need {
			break
		}
		if rows >= 8_000_000 {
			t.Fatalf("a copy of %d rows took %.3f s, still under the %v the check needs", rows, s.DurationS, need)
		}
		t.Logf("a copy of %d rows took %.3f s, under the %v the check needs: growing the table", rows, s.DurationS, need)
		rows = int64(float64(rows) * 1.5 * need.Seconds() / max(s.DurationS, 0.01))
	}
	if s.LongestStallS < 0.6*s.DurationS {
		t.Errorf("longest writer stall %.2f s during a %.2f s copy: want writers blocked for most of it", s.LongestStallS, s.DurationS)
	}
	if s.During == nil || s.During.P99Ms < 0.5*s.DurationS*1000 {
		t.Errorf("write p99 during the copy = %+v, want about the copy's duration", s.During)
	}
	found := false
	for _, f := range rep.Findings {
		found = found || f.Code == "RUN203"
	}
	if !found {
		t.Errorf("no RUN203 finding for a blocking table copy: %+v", rep.Findings)
	}
	if rep.Rollback == nil || !rep.Rollback.Restores {
		t.Errorf("rollback: %+v, want the down to restore the schema", rep.Rollback)
	}
}

// A three-statement migration whose second statement fails leaves the first
// committed; the report lists exactly that, and whether the down recovers.
func TestHalfAppliedMigration(t *testing.T) {
	target := testserver.LocalMariaDB()
	snap := sourceSnapshot(t, target, 500)
	files := baseFiles()
	files["000003_index.up.sql"] = "ALTER TABLE investments ADD COLUMN channel VARCHAR(16) NULL;\n" +
		"INSERT INTO investments (account_id, fund_code, amount) VALUES (1, 'X', 1);\n" + // created_at has no default: 1364 in strict mode
		"ALTER TABLE investments ADD INDEX idx_channel (channel);\n"
	files["000003_index.down.sql"] = "ALTER TABLE investments DROP INDEX idx_channel;\nALTER TABLE investments DROP COLUMN channel;\n"
	set := writeMigrations(t, files)
	rep := rehearseRun(t, target, snap, set, nil)
	if rep.Verdict != result.Fail {
		t.Fatalf("verdict %s, want fail", rep.Verdict)
	}
	m := rep.Migrations[0]
	if m.Status != "failed" || m.Partial == nil {
		t.Fatalf("migration %+v: want failed with a partial state", m)
	}
	p := m.Partial
	if p.FailedAt != 2 || len(p.Committed) != 1 || p.Committed[0] != 1 {
		t.Errorf("partial: failed at %d, committed %v; want failed at 2 with 1 committed", p.FailedAt, p.Committed)
	}
	if m.Statements[1].ErrorCode != 1364 {
		t.Errorf("statement 2 error %d %q, want 1364", m.Statements[1].ErrorCode, m.Statements[1].Error)
	}
	if m.Statements[2].Status != "not_run" {
		t.Errorf("statement 3 status %q, want not_run", m.Statements[2].Status)
	}
	// The server was asked before the run: statements that never ran have
	// its answer too.
	if s1, s3 := m.Statements[0], m.Statements[2]; s1.VerifiedAlg != "INSTANT" || s3.VerifiedAlg == "" {
		t.Errorf("verified algorithms %q (%s) and %q (%s), want INSTANT for the ADD COLUMN and an answer for the ADD INDEX that did not run",
			s1.VerifiedAlg, s1.VerifyNote, s3.VerifiedAlg, s3.VerifyNote)
	}
	if len(p.SchemaDiff) != 1 || !strings.Contains(p.SchemaDiff[0], "extra column channel") {
		t.Errorf("schema diff %v, want the added column channel", p.SchemaDiff)
	}
	// The down drops an index the partial state never got: it fails.
	if p.DownRecovers != "no" {
		t.Errorf("down recovers = %q (%v), want no: its first statement drops an index that was never built", p.DownRecovers, p.DownDetail)
	}
}

// Dropping a column the previous app version still writes: the app-compat
// check catches it, and the down brings the column back empty.
func TestDropColumnAppCompat(t *testing.T) {
	target := testserver.LocalMariaDB()
	snap := sourceSnapshot(t, target, 500)
	files := baseFiles()
	files["000003_index.up.sql"] = "ALTER TABLE investments DROP COLUMN note;\n"
	files["000003_index.down.sql"] = "ALTER TABLE investments ADD COLUMN note VARCHAR(64) NULL AFTER amount;\n"
	set := writeMigrations(t, files)
	gate, _ := ParseGate("app-compat=required")
	rep := rehearseRun(t, target, snap, set, func(o *Options) { o.Gates = []Gate{gate} })
	if rep.AppCompat == nil || len(rep.AppCompat.Failures) == 0 {
		t.Fatalf("app-compat: %+v, want failures for statements that use note", rep.AppCompat)
	}
	for _, f := range rep.AppCompat.Failures {
		if !strings.Contains(f.Shape, "note") {
			t.Errorf("app-compat failure %+v does not involve the dropped column", f)
		}
	}
	if rep.Verdict != result.Fail {
		t.Errorf("verdict %s, want fail (app-compat=required)", rep.Verdict)
	}
	if rep.Rollback == nil || len(rep.Rollback.Migrations) != 1 || rep.Rollback.Migrations[0].Verdict != "data_lost" {
		t.Errorf("rollback %+v, want data_lost", rep.Rollback)
	}
}

// Code migrations: the user's own command runs against the sandbox with the
// connection in its environment; the rehearsal observes the schema it left
// and still measures the locks while it runs. On the docker engine the
// connection carries the sandbox's random root password (issue 13, item 9).
func TestMigrateCommand(t *testing.T) {
	client := testserver.Tool(t, "mariadb", "mariadb-client")
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.DockerMariaDB()} {
		t.Run(target.Name, func(t *testing.T) {
			if target.Engine.Name() == "docker" {
				if err := exec.Command("docker", "image", "inspect", "rehearse/mariadb:10.11").Run(); err != nil {
					testserver.Unavailable(t, target.Name, fmt.Errorf("no Docker daemon or no image (run `make images`): %v", err))
				}
			}
			snap := sourceSnapshot(t, target, 500)
			sql := func(q string) string {
				return `MYSQL_PWD="$MYSQL_PASSWORD" ` + client + ` --protocol=TCP -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" "$MYSQL_DATABASE" -e "` + q + `"`
			}
			rep := rehearseRun(t, target, snap, nil, func(o *Options) {
				o.MigrateCommand = &migrations.CommandOptions{Command: sql("ALTER TABLE investments ADD COLUMN channel VARCHAR(16) NULL")}
				o.RollbackCommand = &migrations.CommandOptions{Command: sql("ALTER TABLE investments DROP COLUMN channel")}
			})
			if len(rep.Migrations) != 1 || rep.Migrations[0].Status != "applied" {
				t.Fatalf("migrations %+v, want the command applied", rep.Migrations)
			}
			if rep.Rollback == nil || !rep.Rollback.Restores {
				t.Fatalf("rollback %+v, want the rollback command to restore the schema", rep.Rollback)
			}
			if rep.Verdict != result.Pass {
				t.Errorf("verdict %s (%s), want pass", rep.Verdict, rep.Reason)
			}
			for _, p := range rep.Phases {
				if p.Name == "probe" && p.Status != "skipped" {
					t.Errorf("probe phase %+v, want skipped: a migrate command has no statements to probe", p)
				}
			}
		})
	}
}
