package plan_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/internal/testsnapshot"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/snapshot"
)

// TestPlanAndRunAgree: `rehearse plan` and `rehearse run` reject the same
// statements, with the same error numbers, on MariaDB 10.11 and MySQL 9.7.
// Each migration of testdata/verbatim (flavor-specific syntax, statements
// with their own ALGORITHM/LOCK clauses) is one release: the plan's
// verified replay and a rehearsal of it must both apply it, or both fail
// it with the same error. A quick run takes the three migrations where
// the flavors differ or both refuse; REHEARSE_LONG=1 takes all ten.
func TestPlanAndRunAgree(t *testing.T) {
	dir := filepath.Join("testdata", "verbatim")
	all, err := migrations.Load(context.Background(), migrations.Options{Dir: filepath.Join(dir, "migrations")})
	if err != nil {
		t.Fatal(err)
	}
	quick := map[string]bool{"000001": true, "000002": true, "000005": true}
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			snap := snapshotOfFile(t, target, filepath.Join(dir, "setup.sql"))
			p, err := plan.Build(context.Background(), plan.Options{Snapshot: snap, Migrations: all, Verify: true,
				Engine: target.Engine, EngineOptions: target.Options, CacheDir: testserver.CacheDir()})
			if err != nil {
				t.Fatal(err)
			}
			compared := 0
			for i, m := range all.Migrations {
				if !quick[m.Version] && !testserver.IsLong() {
					continue
				}
				sp := p.Pending[i].Statements[0]
				planCode := 0
				if sp.Replay != nil && !sp.Replay.OK {
					planCode = sp.Replay.Error
				}
				rep := rehearseOne(t, target, snap, all.Dir, &all.Migrations[i])
				runCode := 0
				if len(rep.Migrations) != 1 || len(rep.Migrations[0].Statements) != 1 {
					t.Fatalf("%s: the rehearsal's report holds %+v", m.Version, rep.Migrations)
				}
				st := rep.Migrations[0].Statements[0]
				if st.Status == "failed" {
					runCode = st.ErrorCode
				}
				if planCode != runCode {
					t.Errorf("%s %q: plan says error %d (%+v), run says error %d (%s)", m.Version, sp.SQL, planCode, sp.Replay, runCode, st.Error)
				}
				if (runCode != 0) != (rep.Verdict == result.Fail) {
					t.Errorf("%s: run error %d but verdict %s", m.Version, runCode, rep.Verdict)
				}
				compared++
			}
			t.Logf("%s: %d releases compared", target.Name, compared)
		})
	}
}

// snapshotOfFile captures database app after running file on a server
// started for it (and stopped again: the rehearsals start their own).
func snapshotOfFile(t *testing.T, target testserver.Target, file string) *snapshot.Snapshot {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return testsnapshot.Capture(t, target, "CREATE DATABASE app;\nUSE app;\n"+string(b), snapshot.CaptureOptions{Databases: []string{"app"}})
}

// rehearseOne rehearses migration m alone (a folder holding only its
// files) against snap.
func rehearseOne(t *testing.T, target testserver.Target, snap *snapshot.Snapshot, dir string, m *migrations.Migration) *result.Report {
	t.Helper()
	one := t.TempDir()
	for _, f := range []string{m.Up.File, m.Down.File} {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(one, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: one})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := run.Run(ctx, run.Options{Snapshot: snap, Migrations: set, Engine: target.Engine, EngineOptions: target.Options,
		Scale: 1, Seed: 7, LoadRate: 50, Baseline: 500 * time.Millisecond, AppCompatWindow: 500 * time.Millisecond, SkipRollback: true})
	if err != nil {
		t.Fatalf("%s: run: %v", m.Version, err)
	}
	return rep
}
