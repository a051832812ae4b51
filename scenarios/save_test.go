package scenarios

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/evidence"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/reproduce"
	"github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/snapshot"
)

// The seed incident as evidence files (rehearse/reproduce/testdata/
// seed-incident: the flagship scenario's deploy run by golang-migrate on
// MariaDB 10.11 while a transaction held investments, its processlist and
// InnoDB status captured while it happened) is reproduced; the fix
// lock-wait-timeout=5s frees the writers within 5 s; the reproduction saved
// as a scenario folder runs as one, every variant's expectations holding.
func TestSeedIncidentSavedAndRun(t *testing.T) {
	testserver.Long(t) // four rehearsals, about 90 s
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	ev, err := evidence.Read(filepath.Join("..", "rehearse", "reproduce", "testdata", "seed-incident"), evidence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("library", "unique-index-rerun", "production.json"))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := snapshot.Load(bytes.NewReader(raw), "production.json")
	if err != nil {
		t.Fatal(err)
	}
	migDir := filepath.Join("library", "unique-index-rerun", "migrations")
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: migDir})
	if err != nil {
		t.Fatal(err)
	}
	fix, err := reproduce.ParseFix("lock-wait-timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	// The release split: the DROP INDEX and the CREATE UNIQUE INDEX in
	// migrations of their own. The DROP INDEX still needs its metadata
	// lock, so it still waits behind the blocker: splitting does not help.
	splitDir := t.TempDir()
	entries, _ := os.ReadDir(migDir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(migDir, e.Name()))
		switch e.Name() {
		case "20240306_unique_account_fund_day.up.sql":
			b = []byte("DROP INDEX uq_investments_account_fund ON investments;\n")
			writeFile(t, filepath.Join(splitDir, "20240307_unique_account_fund_day_create.up.sql"), "CREATE UNIQUE INDEX uq_investments_account_fund ON investments (account_id, fund_code, trade_date);\n")
			writeFile(t, filepath.Join(splitDir, "20240307_unique_account_fund_day_create.down.sql"), "DROP INDEX uq_investments_account_fund ON investments;\n")
		case "20240306_unique_account_fund_day.down.sql":
			b = []byte("CREATE UNIQUE INDEX uq_investments_account_fund ON investments (account_id, fund_code);\n")
		}
		writeFile(t, filepath.Join(splitDir, e.Name()), string(b))
	}
	split, err := reproduce.ParseFix("split-migrations=" + splitDir)
	if err != nil {
		t.Fatal(err)
	}
	setup, err := reproduce.Prepare(context.Background(), reproduce.Options{Evidence: ev, Fixes: []reproduce.Fix{fix, split}, Run: run.Options{
		Snapshot: snap, SnapshotPath: "production.json", Migrations: set, MigrationsDir: migDir,
		Engine: target.Engine, EngineOptions: target.Options, Scale: 0.001, Seed: 1,
		Baseline: 2 * time.Second, AppCompatWindow: time.Second, LockWaitTimeout: 86400 * time.Second,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if d := setup.Incident.DDL; d == nil || d.Migration != "20240306" || d.Statement != 1 {
		t.Fatalf("the DDL %+v: want 20240306#1 matched; problems %v", d, setup.Problems)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	rep, err := setup.Reproduce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != reproduce.Reproduced {
		t.Fatalf("%s: %s", rep.Verdict, rep.Reason)
	}
	fx := rep.Runs[1].Figures
	if fx.ErrorCode != 1205 || fx.WritersBlocked == 0 || fx.LongestStallS > 5.05 {
		t.Errorf("lock-wait-timeout=5s: error %d, %d writers blocked, longest stall %.2f s: want 1205 and the writers freed within 5 s", fx.ErrorCode, fx.WritersBlocked, fx.LongestStallS)
	}
	sp := rep.Runs[2]
	if sp.Figures.Statement != "20240306#1" || sp.Figures.LockWaitS < rep.Incident.DDL.WaitLoS*0.9 {
		t.Errorf("split-migrations: %+v (changes %v): the fixed release's ALTER on investments still waits behind the blocker", sp.Figures, sp.Changes)
	}
	t.Logf("incident: wait %.2f s (%.2f–%.2f); rehearsed %.2f s; fix: writers freed after %.2f s", rep.Incident.DDL.WaitS, rep.Incident.DDL.WaitLoS, rep.Incident.DDL.WaitHiS, rep.Runs[0].Figures.LockWaitS, fx.LongestStallS)

	dir := filepath.Join(t.TempDir(), "seed-incident")
	saved, err := SaveReproduction(setup, rep, SaveOptions{Name: "seed-incident", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Variants) != 3 {
		t.Fatalf("variants %v, want the incident and the fix", saved.Variants)
	}
	if _, err := SaveReproduction(setup, rep, SaveOptions{Name: "seed-incident", Dir: dir}); err == nil {
		t.Errorf("saved over an existing scenario folder")
	}
	variants, err := DirVariants(dir)
	if err != nil || len(variants) != 3 {
		t.Fatalf("DirVariants: %v %v", variants, err)
	}
	for _, v := range variants {
		p, err := PrepareDir(ctx, dir, v, PrepareOptions{Engine: target.Engine, EngineOptions: target.Options})
		if err != nil {
			t.Fatal(err)
		}
		p.Options.Baseline, p.Options.AppCompatWindow = 2*time.Second, time.Second
		r, err := run.Run(ctx, p.Options)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		for _, f := range Check(r, p.Expect) {
			t.Errorf("%s: %s", v, f)
		}
	}
}

func writeFile(t *testing.T, p, body string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
