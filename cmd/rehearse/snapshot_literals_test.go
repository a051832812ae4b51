package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// TestSnapshotMigrations: `rehearse snapshot --migrations DIR`, through a
// least-privilege account, counts production's rows for the literals of the
// pending migrations only (the captured history says which), never those
// of applied ones; --migrations with --from-dump is refused with exit 2.
func TestSnapshotMigrations(t *testing.T) {
	srv := testserver.Start(t, testserver.LocalMariaDB())
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const pw = "s3cret-pw-Lt4"
	leastPrivilegeApp(t, db, pw, "INSERT INTO app.t VALUES (1, 'x'), (2, 'x'), (3, 'old'), (4, 'y')")
	dir := t.TempDir()
	mig := filepath.Join(dir, "migrations")
	files := map[string]string{
		"000003_prune.up.sql":    "DELETE FROM t WHERE v = 'old';\n",
		"000003_prune.down.sql":  "SELECT 1;\n",
		"000004_drop_x.up.sql":   "DELETE FROM t WHERE v IN ('x', 'z');\n",
		"000004_drop_x.down.sql": "SELECT 1;\n",
	}
	os.MkdirAll(mig, 0o755)
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(mig, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "prod.json")
	dsn := fmt.Sprintf("rehearse:%s@tcp(127.0.0.1:%d)/", pw, srv.Port)
	code, _, stderr := runRehearse(t, map[string]string{"REHEARSE_SOURCE_DSN": dsn}, "snapshot", "--migrations", mig, "-o", out)
	if code != 0 {
		t.Fatalf("snapshot --migrations: exit %d\n%s", code, stderr)
	}
	snap, err := snapshot.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	x, z := "x", "z"
	if l := snap.Literal("app", "t", "v", &x); l == nil || l.Rows != 2 {
		t.Errorf("literal 'x' of the pending migration: %+v, want 2 rows", l)
	}
	if l := snap.Literal("app", "t", "v", &z); l == nil || l.Rows != 0 {
		t.Errorf("literal 'z' of the pending migration: %+v, want 0 rows", l)
	}
	old := "old"
	if l := snap.Literal("app", "t", "v", &old); l != nil {
		t.Errorf("the applied migration's literal was counted: %+v", l)
	}
	if len(snap.Literals) != 2 {
		t.Errorf("%d literals, want 2: %+v", len(snap.Literals), snap.Literals)
	}
	code, _, stderr = runRehearse(t, nil, "snapshot", "--from-dump", filepath.Join(mig, "000003_prune.up.sql"), "--migrations", mig, "-o", filepath.Join(dir, "dump.json"))
	if code != 2 || !strings.Contains(stderr, "--migrations with --from-dump") {
		t.Errorf("--migrations with --from-dump: exit %d, want 2 with a message\n%s", code, stderr)
	}
}
