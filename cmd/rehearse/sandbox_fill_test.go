package main

import (
	"database/sql"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// fillSnapshot is a small production snapshot with row statistics and a
// migration history: shop.customers 850k rows, shop.orders 3.1M, and
// shop.schema_migrations (golang-migrate, one entry).
var fillSnapshot = filepath.Join("..", "..", "scenarios", "library", "cherry-picked-migration", "production.json")

// TestSandboxScale: `rehearse sandbox --snapshot S --scale X` restores the
// snapshot and fills it before printing the DSN: each data table holds the
// snapshot's rows × X, the history table keeps the snapshot's history;
// Ctrl-C then exits 0 and leaves nothing behind.
func TestSandboxScale(t *testing.T) {
	requireLocalMariaDB(t)
	snap, err := snapshot.LoadFile(fillSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	const scale = 0.002
	tmp := t.TempDir()
	p := startSandbox(t, []string{"REHEARSE_DSN=", "TMPDIR=" + tmp, "REHEARSE_CACHE_DIR=" + testserver.CacheDir()},
		"--snapshot", fillSnapshot, "--scale", "0.002", "--seed", "5", "--engine", "local")
	p.waitLine(t, "press Ctrl-C")
	dsn := strings.TrimSpace(strings.TrimPrefix(p.waitStdout(t, "DSN:"), "DSN:"))
	stderr := p.errText()
	if !strings.Contains(stderr, "generating synthetic rows: the snapshot's row counts × 0.002, seed 5") ||
		!strings.Contains(stderr, "generate: 7,900 of 7,900 rows") {
		t.Errorf("stderr lacks the generation line and its one-line progress summary:\n%s", stderr)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range snap.Schemas[0].Tables {
		var n int64
		if err := db.QueryRow("SELECT COUNT(*) FROM shop." + tbl.Name).Scan(&n); err != nil {
			t.Fatalf("%s: %v", tbl.Name, err)
		}
		if tbl.Name == "schema_migrations" {
			if n != int64(len(snap.History[0].Entries)) {
				t.Errorf("the history table holds %d rows, the snapshot's history %d", n, len(snap.History[0].Entries))
			}
			continue
		}
		want := float64(tbl.Stats.RowCount()) * scale
		if math.Abs(float64(n)-want) > want*0.01 {
			t.Errorf("shop.%s holds %d rows, want about %.0f (%d × %g)", tbl.Name, n, want, tbl.Stats.RowCount(), scale)
		}
	}
	var version string
	if err := db.QueryRow("SELECT version FROM shop.schema_migrations").Scan(&version); err != nil || version != snap.History[0].Entries[0].Version {
		t.Errorf("restored history: %q, %v", version, err)
	}
	db.Close()
	port := dsnPort(t, p.stdout.String(), false)
	p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t); code != 0 {
		t.Errorf("sandbox --scale after Ctrl-C: exit %d\n%s", code, p.errText())
	}
	assertNothingLeft(t, tmp, "", port)
}

// TestSandboxScaleInterrupted: Ctrl-C while the rows are loading removes
// the sandbox, prints no DSN and exits non-zero.
func TestSandboxScaleInterrupted(t *testing.T) {
	requireLocalMariaDB(t)
	tmp := t.TempDir()
	// 3.95M rows: far longer than it takes to send the signal.
	p := startSandbox(t, []string{"REHEARSE_DSN=", "TMPDIR=" + tmp, "REHEARSE_CACHE_DIR=" + testserver.CacheDir()},
		"--snapshot", fillSnapshot, "--scale", "1", "--engine", "local")
	p.waitLine(t, "generating synthetic rows")
	p.cmd.Process.Signal(syscall.SIGINT)
	code := p.wait(t)
	if code == 0 || p.stdout.Len() != 0 || !strings.Contains(p.errText(), "interrupted") {
		t.Errorf("interrupted generation: exit %d, stdout %q\n%s", code, p.stdout.String(), p.errText())
	}
	port := 0
	if m := regexp.MustCompile(`local engine: starting .* on 127\.0\.0\.1:(\d+)`).FindStringSubmatch(p.errText()); m != nil {
		port, _ = strconv.Atoi(m[1])
	} else {
		t.Errorf("no port in the engine's start line:\n%s", p.errText())
	}
	assertNothingLeft(t, tmp, "", port)
}

// TestSandboxScaleBadInput: the data flags are checked before anything
// starts.
func TestSandboxScaleBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--scale", "0.1"}, "need --snapshot"},
		{[]string{"--rows", "orders=10"}, "need --snapshot"},
		{[]string{"--snapshot", fillSnapshot, "--seed", "3"}, "--seed needs data"},
		{[]string{"--snapshot", fillSnapshot, "--scale", "0"}, "--scale 0: not a positive number"},
		{[]string{"--snapshot", fillSnapshot, "--scale", "-1"}, "--scale -1: not a positive number"},
		{[]string{"--snapshot", fillSnapshot, "--scale", "NaN"}, "--scale NaN: not a positive number"},
		{[]string{"--snapshot", fillSnapshot, "--scale", "0.1", "--rows", "orders"}, "table=N"},
	} {
		code, stdout, stderr := runRehearse(t, nil, append([]string{"sandbox"}, c.args...)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "starting") {
			t.Errorf("sandbox %v: exit %d, stdout %q\n%s", c.args, code, stdout, stderr)
		}
	}
}
