package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/result"
)

// copyShopMigrations is the shop's release with a table copy on orders
// (a column type change), which has a foreign key to customers.
func copyShopMigrations() map[string]string {
	m := map[string]string{}
	for k, v := range shopMigrations {
		m[k] = v
	}
	delete(m, "00003_add_order_note.sql")
	m["00003_widen_total.sql"] = "-- +goose Up\nALTER TABLE orders MODIFY total DECIMAL(12,2) NOT NULL;\n\n-- +goose Down\nALTER TABLE orders MODIFY total DECIMAL(10,2) NOT NULL;\n"
	return m
}

// TestCompareCommand: `rehearse compare` rehearses native, pt-osc and the
// cmd strategy (pt-osc through an --osc-cmd template) on the same data —
// the second and third from the data cache's datadir, the checksums equal
// — and writes the table, Markdown and JSON: per statement each
// strategy's figures and a recommendation. pt-osc renames the foreign key
// of the table it rebuilds (fk_customer becomes _fk_customer): the table it
// leaves is not the same, and the comparison says so.
func TestCompareCommand(t *testing.T) {
	requireLocalMariaDB(t)
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	t.Setenv(dataCacheEnv, filepath.Join(t.TempDir(), "data"))
	f := newShop(t, copyShopMigrations())
	out := filepath.Join(f.Dir, "out")
	osc := "pt-online-schema-change --alter {alter} --execute --no-version-check --recursion-method=none --alter-foreign-keys-method=auto h={host},P={port},u={user},D={database},t={table}"
	code, stdout, stderr := runRehearse(t, nil, "compare", "--engine", "local", "--snapshot", f.Snapshot, "--migrations", f.Migrations,
		"--strategies", "native,pt-osc,cmd", "--osc-cmd", osc, "--rows", "orders=200000", "--baseline", "1s", "--app-compat-window", "200ms", "--load", "100",
		"--no-rollback", "--format", "table,md,json", "--out-dir", out)
	if code != 0 {
		t.Fatalf("compare: exit %d\n%s\n%s", code, stdout, stderr)
	}
	t.Logf("%s", stdout)
	b, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c result.Comparison
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if c.Format != result.FormatCompareV1 || len(c.Runs) != 3 || len(c.Statements) != 1 {
		t.Fatalf("comparison: format %q, %d runs, %d statements; want 3 runs and the one ALTER", c.Format, len(c.Runs), len(c.Statements))
	}
	if !c.SameData {
		t.Errorf("not the same data: %s", c.SameDataNote)
	}
	if c.Runs[0].Cached || !c.Runs[1].Cached || !c.Runs[2].Cached {
		t.Errorf("cached: %v %v %v, want the first to generate and the others to start from its datadir", c.Runs[0].Cached, c.Runs[1].Cached, c.Runs[2].Cached)
	}
	for _, r := range c.Runs {
		if r.Report == nil {
			continue
		}
		if ac := r.Report.AppCompat; ac != nil {
			for _, f := range ac.Failures {
				t.Logf("%s: app-compat: %s %s: %d %s", r.Strategy, f.Kind, f.Shape, f.ErrorCode, f.Error)
			}
		}
		for _, op := range r.Report.Load {
			if len(op.Errors) > 0 {
				t.Logf("%s: load %s on %s: %v (%s)", r.Strategy, op.Kind, op.Table, op.Errors, op.SQL)
			}
		}
	}
	st := c.Statements[0]
	by := map[string]result.StrategyFigures{}
	for _, f := range st.By {
		by[f.Strategy] = f
	}
	n, p, cmd := by["native"], by["pt-osc"], by["cmd"]
	if n.Status != "ok" || p.Status != "ok" || cmd.Status != "ok" {
		t.Fatalf("statuses native %s %q, pt-osc %s %q, cmd %s %q", n.Status, n.Error, p.Status, p.Error, cmd.Status, cmd.Error)
	}
	if n.Algorithm != "COPY" || n.BlockedShare < 0.5 {
		t.Errorf("native: algorithm %s, blocked %.0f%%: want a copy that blocks writers", n.Algorithm, 100*n.BlockedShare)
	}
	if n.SchemaIdentical == nil || !*n.SchemaIdentical || p.SchemaIdentical == nil || *p.SchemaIdentical {
		t.Errorf("same table: native %v, pt-osc %v; want pt-osc's renamed foreign key seen", n.SchemaIdentical, p.SchemaIdentical)
	}
	for _, r := range c.Runs[1:] {
		if r.Report == nil || r.Report.Strategy == nil || !strings.Contains(strings.Join(r.Report.Strategy.Applied, " "), r.Strategy) {
			t.Errorf("%s: the statement was not applied with it", r.Strategy)
		}
	}
	if st.Recommended == "" || st.Why == "" || !strings.Contains(st.Why, "pt-osc left a different table") {
		t.Errorf("recommendation %q: %q", st.Recommended, st.Why)
	}
	for _, name := range []string{"report.txt", "report.md"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil || !strings.Contains(strings.ToLower(string(b)), "recommended") {
			t.Errorf("%s: %v\n%s", name, err, b)
		}
	}

	// rehearse run --strategy: the table says how the statement ran.
	code, stdout, stderr = runRehearse(t, nil, "run", "--engine", "local", "--snapshot", f.Snapshot, "--migrations", f.Migrations, "--strategy", "pt-osc",
		"--rows", "orders=200000", "--baseline", "1s", "--app-compat-window", "200ms", "--load", "100", "--no-rollback", "--pt-osc-arg=--alter-foreign-keys-method=auto")
	t.Logf("run --strategy pt-osc:\n%s", stdout)
	if code == 2 || !strings.Contains(stdout, "strategy: pt-osc") || !strings.Contains(stdout, "00003#1 pt-osc:") {
		t.Errorf("run --strategy pt-osc: exit %d, the table does not say how 00003#1 ran\n%s\n%s", code, stdout, stderr)
	}

	// Bad input: exit 2 before any work, naming what to fix.
	for _, bad := range [][]string{
		{"--strategies", "native"},
		{"--strategies", "native,bogus"},
		{"--strategies", "native,native"},
		{"--strategies", "native,cmd"},
		{"--strategies", "native,cmd", "--osc-cmd", "gh-ost --table={tabel}"},
		{"--strategy-for", "3=pt-osc"},
	} {
		args := append([]string{"compare", "--snapshot", f.Snapshot, "--migrations", f.Migrations}, bad...)
		code, _, stderr := runRehearse(t, nil, args...)
		if code != 2 || !strings.Contains(stderr, "strateg") && !strings.Contains(stderr, "osc-cmd") && !strings.Contains(stderr, "placeholder") {
			t.Errorf("compare %v: exit %d, want 2 naming the problem\n%s", bad, code, stderr)
		}
	}
	if code, _, stderr := runRehearse(t, nil, "run", "--snapshot", f.Snapshot, "--migrations", f.Migrations, "--strategy", "gh-ost"); code != 2 || !strings.Contains(stderr, "not a strategy") {
		t.Errorf("run --strategy gh-ost: exit %d, want 2\n%s", code, stderr)
	}
}
