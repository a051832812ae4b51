package main

import (
	"strings"
	"testing"
)

// golangMigrateRelease is the shop's first golang-migrate release: the
// team moves from goose (whose table production has) to golang-migrate,
// whose schema_migrations production does not have yet.
var golangMigrateRelease = map[string]string{
	"1_add_order_note.up.sql":     "ALTER TABLE orders ADD COLUMN note VARCHAR(200) NULL;\n",
	"1_add_order_note.down.sql":   "ALTER TABLE orders DROP COLUMN note;\n",
	"2_index_order_time.up.sql":   "CREATE INDEX ix_created ON orders (created_at);\n",
	"2_index_order_time.down.sql": "DROP INDEX ix_created ON orders;\n",
}

// TestFirstAdoption: a release that is its runner's first on production
// (no history table of that runner in the snapshot). Undeclared, the
// message says what is going on and how to declare it; declared
// (--first-adoption or history.first_adoption), plan and run take every
// migration as pending, say so in finding RH012, and rehearse them on a
// real server. Declared where production already has the runner's
// history, it is refused.
func TestFirstAdoption(t *testing.T) {
	requireLocalMariaDB(t)
	f := newShop(t, golangMigrateRelease)
	plan := []string{"plan", "--engine", "local", "--snapshot", f.Snapshot, "--migrations", f.Migrations}

	code, _, stderr := runRehearse(t, nil, plan...)
	if code != 2 || !strings.Contains(stderr, "goose") || !strings.Contains(stderr, "--first-adoption") {
		t.Errorf("undeclared first adoption: exit %d, want 2 naming goose's history and --first-adoption\n%s", code, stderr)
	}

	code, stdout, stderr := runRehearse(t, nil, append(plan, "--first-adoption")...)
	if code != 0 || !strings.Contains(stdout, "RH012") || !strings.Contains(stdout, "1_add_order_note") || !strings.Contains(stdout, "2_index_order_time") {
		t.Errorf("plan --first-adoption: exit %d, want 0 with RH012 and both migrations pending\n%s%s", code, stdout, stderr)
	}
	cfg := f.write(t, "rehearse.yaml", "history: {first_adoption: true}\n")
	code, stderr, findings, applied := quickRun(t, f, "--snapshot", f.Snapshot, "--migrations", f.Migrations, "--config", cfg)
	if code != 0 || !hasFinding(findings, "RH012", "info") || strings.Join(applied, ",") != "1:applied,2:applied" {
		t.Errorf("run with history.first_adoption: exit %d, findings %v, migrations %v\n%s", code, findings, applied, stderr)
	}

	// The goose folder whose history production has: not a first adoption.
	g := newShop(t, nil)
	code, _, stderr = runRehearse(t, nil, "plan", "--no-verify", "--snapshot", g.Snapshot, "--migrations", g.Migrations, "--first-adoption")
	if code != 2 || !strings.Contains(stderr, "shop.goose_db_version (goose) holds 2 entries") {
		t.Errorf("--first-adoption where production runs goose: exit %d, want 2\n%s", code, stderr)
	}
}
