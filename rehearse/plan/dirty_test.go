package plan_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/internal/testsnapshot"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/snapshot"
)

// TestDirtyGolangMigrateOneAnswer pins the one answer plan, diff and run
// give (migrations.AppliedBy) for a dirty golang-migrate version, on a
// history captured from a real server. golang-migrate records the dirty
// version as current and refuses `migrate up` ("Dirty database version 2.
// Fix and force version."): version 2 is not run again (it counts as
// applied), what follows it is pending, and the tool says the history is
// dirty (plan and run: RH002 at error severity; diff: history drift).
func TestDirtyGolangMigrateOneAnswer(t *testing.T) {
	ctx := context.Background()
	target := testserver.LocalMariaDB()
	snap := testsnapshot.Capture(t, target, `CREATE DATABASE app; USE app;
CREATE TABLE orders (id int PRIMARY KEY, note varchar(64));
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty tinyint(1) NOT NULL);
INSERT INTO schema_migrations VALUES (2, 1);`, snapshot.CaptureOptions{Databases: []string{"app"}})
	if len(snap.History) != 1 || snap.History[0].Runner != "golang-migrate" || len(snap.History[0].Entries) != 1 || !snap.History[0].Entries[0].Dirty {
		t.Fatalf("captured history %+v, want golang-migrate's dirty version 2", snap.History)
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"1_orders.up.sql":    "CREATE TABLE orders (id int PRIMARY KEY);",
		"1_orders.down.sql":  "DROP TABLE orders;",
		"2_note.up.sql":      "ALTER TABLE orders ADD COLUMN note varchar(64);",
		"2_note.down.sql":    "ALTER TABLE orders DROP COLUMN note;",
		"3_created.up.sql":   "ALTER TABLE orders ADD COLUMN created_at datetime NULL;",
		"3_created.down.sql": "ALTER TABLE orders DROP COLUMN created_at;",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mo := migrations.Options{Dir: dir}
	set, err := migrations.Load(ctx, mo)
	if err != nil {
		t.Fatal(err)
	}
	const want = "3"
	// joined lists n strings, at(i) each, comma-separated.
	joined := func(n int, at func(int) string) string {
		k := make([]string, n)
		for i := range k {
			k[i] = at(i)
		}
		return strings.Join(k, ",")
	}
	// dirtyAt2 tells whether one of n findings is RH002 (error) on version 2.
	dirtyAt2 := func(n int, at func(int) (code, migration, severity string)) bool {
		for i := 0; i < n; i++ {
			if c, m, sev := at(i); c == codes.Dirty && m == "2" && sev == string(plan.SevError) {
				return true
			}
		}
		return false
	}
	ms := migrations.Pending(set, snap)
	if got := joined(len(ms), func(i int) string { return ms[i].Key }); got != want {
		t.Errorf("migrations.Pending (run's before planning, reproduce's): %q, want %q", got, want)
	}

	// plan
	p, err := plan.Build(ctx, plan.Options{Snapshot: snap, Migrations: set})
	if err != nil {
		t.Fatal(err)
	}
	if got := joined(len(p.Pending), func(i int) string { return p.Pending[i].Key }); got != want {
		t.Errorf("plan's pending: %q, want %q", got, want)
	}
	if !dirtyAt2(len(p.Findings), func(i int) (string, string, string) {
		f := p.Findings[i]
		return f.Code, f.Migration, string(f.Severity)
	}) {
		t.Errorf("plan's findings %+v: want %s (error) on version 2", p.Findings, codes.Dirty)
	}

	// diff: production (dirty at 2) against a staging copy clean at 2
	staging := *snap
	staging.History = []snapshot.History{snap.History[0]}
	staging.History[0].Entries = []snapshot.HistoryEntry{{Version: "2"}}
	checks, _, err := plan.LoadPending(ctx, mo, snap, &staging)
	if err != nil {
		t.Fatal(err)
	}
	for _, side := range []string{"A", "B"} {
		var got []string
		for _, c := range checks {
			if c.Side == side {
				got = append(got, c.Version)
			}
		}
		if strings.Join(got, ",") != want {
			t.Errorf("diff's pending in %s: %v, want %q", side, got, want)
		}
	}
	r := snapshot.Diff(snap, &staging, snapshot.DiffOptions{NameA: "production", NameB: "staging", Pending: checks})
	said := false
	for _, f := range r.Findings {
		if f.Kind == snapshot.DriftHistory && f.A == "dirty" && strings.Contains(f.Consequence, "recorded as dirty") {
			said = true
		}
	}
	if !said {
		t.Errorf("diff's findings %+v: want the dirty version as history drift", r.Findings)
	}

	// run
	rctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	rep, err := run.Run(rctx, run.Options{Snapshot: snap, Migrations: set, Engine: target.Engine, EngineOptions: target.Options,
		Scale: 1, Seed: 7, LoadRate: 50, Baseline: 500 * time.Millisecond, AppCompatWindow: 500 * time.Millisecond, SkipRollback: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := joined(len(rep.Migrations), func(i int) string { return rep.Migrations[i].Version }); got != want {
		t.Errorf("run rehearsed %q, want %q", got, want)
	}
	if !dirtyAt2(len(rep.Findings), func(i int) (string, string, string) {
		f := rep.Findings[i]
		return f.Code, f.Migration, f.Severity
	}) {
		t.Errorf("run's findings %+v: want %s (error) on version 2", rep.Findings, codes.Dirty)
	}
	// The deploy would not run: golang-migrate refuses `migrate up` on a
	// dirty version. A rehearsal that passes would let the release
	// through a gate its own deploy fails at (it passed before).
	if rep.Verdict != result.Fail || !strings.Contains(rep.Reason, "dirty") {
		t.Errorf("run: verdict %s (%s), want fail: the runner refuses to deploy over a dirty history", rep.Verdict, rep.Reason)
	}
}
