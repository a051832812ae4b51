package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// TestSnapshotAndDiffCommands: capture a sandbox with a password account,
// diff it with itself (0) and with an edited copy (1), and the bad inputs
// (2), never printing the password.
func TestSnapshotAndDiffCommands(t *testing.T) {
	srv := testserver.Start(t, testserver.LocalMariaDB())
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const pw = "s3cret-pw-Zq9"
	leastPrivilegeApp(t, db, pw)
	dir := t.TempDir()
	a := filepath.Join(dir, "prod.json")
	dsn := fmt.Sprintf("rehearse:%s@tcp(127.0.0.1:%d)/", pw, srv.Port)
	code, _, stderr := runRehearse(t, map[string]string{"REHEARSE_SOURCE_DSN": dsn, "REHEARSE_DSN": ""}, "snapshot", "-o", a)
	if code != 0 {
		t.Fatalf("snapshot: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stderr, "deprecated") {
		t.Errorf("REHEARSE_SOURCE_DSN warned as deprecated:\n%s", stderr)
	}
	// The old name still works for the source, with a warning.
	code, _, stderr = runRehearse(t, map[string]string{"REHEARSE_SOURCE_DSN": "", "REHEARSE_DSN": dsn}, "snapshot", "-o", filepath.Join(dir, "old-name.json"))
	if code != 0 || !strings.Contains(stderr, "$REHEARSE_DSN is deprecated") || !strings.Contains(stderr, "REHEARSE_SOURCE_DSN") {
		t.Errorf("snapshot with $REHEARSE_DSN: exit %d, want 0 and a deprecation warning\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "golang-migrate app.schema_migrations (1 entries)") {
		t.Errorf("summary: %s", stderr)
	}
	data, _ := os.ReadFile(a)
	if bytes.Contains(data, []byte(pw)) || strings.Contains(stderr, pw) {
		t.Fatal("password written out")
	}

	code, stdout, _ := runRehearse(t, nil, "diff", a, a)
	if code != 0 || !strings.HasPrefix(stdout, "NO DRIFT") {
		t.Errorf("diff of a file with itself: exit %d\n%s", code, stdout)
	}

	var doc map[string]any
	json.Unmarshal(data, &doc)
	doc["settings"].(map[string]any)["lock_wait_timeout"] = "5"
	edited, _ := json.Marshal(doc)
	b := filepath.Join(dir, "staging.json")
	os.WriteFile(b, edited, 0o644)
	code, stdout, _ = runRehearse(t, nil, "diff", a, b, "--names", "production,staging", "--format", "md")
	if code != 1 || !strings.Contains(stdout, "lock_wait_timeout") || !strings.Contains(stdout, "#### settings drift (1)") {
		t.Errorf("diff with drift: exit %d\n%s", code, stdout)
	}
	if code, _, _ = runRehearse(t, nil, "diff", a, b, "--fail-on", "schema,history"); code != 0 {
		t.Errorf("--fail-on schema,history with settings drift only: exit %d, want 0", code)
	}

	os.WriteFile(b, data[:len(data)/3], 0o644)
	code, _, stderr = runRehearse(t, nil, "diff", a, b)
	if code != 2 || !strings.Contains(stderr, "truncated") || !strings.Contains(stderr, "Try:") {
		t.Errorf("diff with a truncated file: exit %d\n%s", code, stderr)
	}
	if code, _, stderr = runRehearse(t, nil, "diff", a, b, "--fail-on", "everything"); code != 2 {
		t.Errorf("--fail-on everything: exit %d\n%s", code, stderr)
	}

	// sandbox --snapshot: a new server with the schema and history, the
	// snapshot's own server refused through the dsn engine.
	p := startSandbox(t, []string{"REHEARSE_DSN="}, "--snapshot", a, "--engine", "local")
	p.waitLine(t, "press Ctrl-C")
	sdsn := strings.TrimSpace(strings.TrimPrefix(p.waitStdout(t, "DSN:"), "DSN:"))
	sdb, err := sql.Open("mysql", sdsn)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sdb.QueryRow("SELECT version FROM app.schema_migrations").Scan(&n); err != nil || n != 3 {
		t.Errorf("restored history: %d, %v", n, err)
	}
	sdb.Close()
	p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t); code != 0 {
		t.Errorf("sandbox --snapshot: exit %d\n%s", code, p.errText())
	}
	code, _, stderr = runRehearse(t, nil, "sandbox", "--snapshot", a, "--engine", "dsn", "--dsn", fmt.Sprintf("root@tcp(127.0.0.1:%d)/", srv.Port))
	if code != 2 || !strings.Contains(stderr, "production") {
		t.Errorf("sandbox --snapshot on the snapshot's own server: exit %d\n%s", code, stderr)
	}

	bad := fmt.Sprintf("rehearse:wrong-%s@tcp(127.0.0.1:%d)/", pw, srv.Port)
	code, _, stderr = runRehearse(t, nil, "snapshot", "--dsn", bad, "-o", filepath.Join(dir, "x.json"))
	if code != 2 || strings.Contains(stderr, pw) || !strings.Contains(stderr, "Try:") {
		t.Errorf("wrong password: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runRehearse(t, map[string]string{"REHEARSE_DSN": dsn}, "snapshot", "--databases", "nope", "-o", filepath.Join(dir, "x.json"))
	if code != 2 || !strings.Contains(stderr, `"nope" does not exist`) {
		t.Errorf("unknown database: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.json")); err == nil {
		t.Errorf("a failed snapshot left a file behind")
	}
}

func TestSnapshotFromDump(t *testing.T) {
	dump := testcorpus.Dir(t, "sakila-schema/sakila-mv-schema.sql")
	requireLocalMariaDB(t)
	out := filepath.Join(t.TempDir(), "sakila.json")
	code, _, stderr := runRehearse(t, map[string]string{"REHEARSE_DSN": ""}, "snapshot", "--from-dump", dump, "--engine", "local", "--flavor", "mariadb", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	s, err := snapshot.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if s.Source.Origin != "dump:sakila-mv-schema.sql" || len(s.Schemas) != 1 || len(s.Schemas[0].Tables) != 16 || len(s.Schemas[0].Routines) != 6 {
		t.Errorf("snapshot from dump: origin %q, %d schemas", s.Source.Origin, len(s.Schemas))
	}
}

// leastPrivilegeApp makes production's database app (a table t, a
// golang-migrate history at version 3, then stmts) and the account
// rehearse@% with pw and exactly the documented least-privilege grant
// (several statements, split here).
func leastPrivilegeApp(t *testing.T, db *sql.DB, pw string, stmts ...string) {
	t.Helper()
	testserver.Exec(t, db, "CREATE DATABASE app", "CREATE TABLE app.t (id int PRIMARY KEY, v varchar(20))",
		"CREATE TABLE app.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
		"INSERT INTO app.schema_migrations VALUES (3, 0)")
	testserver.Exec(t, db, stmts...)
	testserver.Exec(t, db, "CREATE USER 'rehearse'@'%' IDENTIFIED BY '"+pw+"'")
	for _, g := range strings.Split(snapshot.LeastPrivilegeGrant("mariadb", "app", "'rehearse'@'%'"), ";") {
		if g = strings.TrimSpace(g); g != "" {
			testserver.Exec(t, db, g)
		}
	}
}
