package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
)

// stopSandbox sends Ctrl-C to a `rehearse sandbox` child and checks it exits 0.
func stopSandbox(t *testing.T, p *sandboxProc) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t); code != 0 {
		t.Errorf("sandbox after Ctrl-C: exit %d\n%s", code, p.errText())
	}
}

func countRows(t *testing.T, db *sql.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	return n
}

// TestSandboxThenGenerate is the README's flow: `rehearse sandbox
// --snapshot prod.json`, then `rehearse generate --snapshot prod.json --dsn
// ...` into it. The restored history table already holds production's
// history rows; generate leaves it alone (as sandbox --scale does) and
// fills the data tables.
func TestSandboxThenGenerate(t *testing.T) {
	requireLocalMariaDB(t)
	f := newShop(t, nil)
	p := startSandbox(t, []string{"REHEARSE_CACHE_DIR=" + testserver.CacheDir()}, "--engine", "local", "--snapshot", f.Snapshot)
	dsn := strings.TrimSpace(strings.TrimPrefix(p.waitStdout(t, "DSN:"), "DSN:"))
	defer stopSandbox(t, p)

	code, stdout, stderr := runRehearse(t, nil, "generate", "--snapshot", f.Snapshot, "--dsn", dsn, "--scale", "0.5")
	if code != 0 || !strings.Contains(stderr, "left alone: shop.goose_db_version") {
		t.Fatalf("generate after sandbox --snapshot: exit %d, want 0 leaving the history alone\n%s%s", code, stdout, stderr)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := countRows(t, db, "shop.goose_db_version"); n != 3 {
		t.Errorf("the history table holds %d rows, production's 3", n)
	}
	if n := countRows(t, db, "shop.orders"); n != 1000 {
		t.Errorf("shop.orders holds %d rows, want 1000 (2,000 × 0.5)", n)
	}
}

// TestSandboxRowsAsRun: `sandbox --rows t=N` needs no --scale, as `run
// --rows` does not: the sandbox then holds the rows `run` with the same
// flags generates (the other tables at run's default scale).
func TestSandboxRowsAsRun(t *testing.T) {
	requireLocalMariaDB(t)
	f := newShop(t, nil)
	out := filepath.Join(f.Dir, "report.json")
	code, _, stderr := runRehearse(t, nil, "run", "--engine", "local", "--snapshot", f.Snapshot, "--migrations", f.Migrations,
		"--rows", "orders=700", "--baseline", "300ms", "--app-compat-window", "200ms", "--load", "20", "-o", out)
	var rep struct {
		Inputs struct {
			TableRows map[string]int64 `json:"table_rows"`
		}
	}
	b, _ := os.ReadFile(out)
	if code == 2 || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("run --rows orders=700: exit %d\n%s", code, stderr)
	}

	p := startSandbox(t, []string{"REHEARSE_CACHE_DIR=" + testserver.CacheDir()}, "--engine", "local", "--snapshot", f.Snapshot, "--rows", "orders=700")
	dsn := strings.TrimSpace(strings.TrimPrefix(p.waitStdout(t, "DSN:"), "DSN:"))
	defer stopSandbox(t, p)
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"shop.orders", "shop.customers"} {
		if got, want := countRows(t, db, table), rep.Inputs.TableRows[table]; got != want || want == 0 {
			t.Errorf("sandbox --rows orders=700: %s holds %d rows, run --rows orders=700 generated %d", table, got, want)
		}
	}
	if !strings.Contains(p.errText(), "rehearse run's default") {
		t.Errorf("sandbox does not say which scale the other tables got:\n%s", p.errText())
	}
}
