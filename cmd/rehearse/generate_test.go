package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/snapshot"
)

func TestGenerateCommand(t *testing.T) {
	srv := testserver.Start(t, testserver.LocalMariaDB())
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The snapshot is production's; the server filled is another with the
	// same schema (generate refuses the snapshot's own source).
	prod := testserver.Start(t, testserver.LocalMariaDB())
	pdb, err := prod.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()
	for _, s := range []string{
		"CREATE DATABASE shop",
		"CREATE TABLE shop.customer (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE, city VARCHAR(40))",
		"CREATE TABLE shop.orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL, " +
			"created_at DATETIME NOT NULL, FOREIGN KEY (customer_id) REFERENCES shop.customer (id))",
	} {
		for _, d := range []*sql.DB{db, pdb} {
			if _, err := d.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	snap, err := snapshot.Capture(context.Background(), pdb, snapshot.CaptureOptions{Databases: []string{"shop"}, SkipPrivilegeCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "shop.json")
	if err := snapshot.WriteFile(file, snap); err != nil {
		t.Fatal(err)
	}
	// Its own source is refused, nothing written.
	if code, _, errOut := runRehearse(t, nil, "generate", "--snapshot", file, "--dsn", prod.DSN(), "--rows", "customer=5"); code != 2 || !strings.Contains(errOut, "the target is production") {
		t.Errorf("generate into the snapshot's source: exit %d\n%s", code, errOut)
	}
	var written int
	if err := pdb.QueryRow("SELECT COUNT(*) FROM shop.customer").Scan(&written); err != nil || written != 0 {
		t.Errorf("the source got %d rows (%v)", written, err)
	}

	code, out, errOut := runRehearse(t, nil, "generate", "--snapshot", file, "--dsn", srv.DSN(), "--rows", "customer=500", "--rows", "orders=2_000", "--seed", "9")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "generated 2,500 rows in 2 tables") {
		t.Errorf("summary: %q", out)
	}
	if !strings.Contains(errOut, "generate: 2,500 of 2,500 rows") {
		t.Errorf("no one-line progress summary on a non-terminal stderr: %q", errOut)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM shop.orders o JOIN shop.customer c ON c.id = o.customer_id").Scan(&n); err != nil || n != 2000 {
		t.Errorf("joined orders = %d (%v), want 2000", n, err)
	}

	// Not empty any more: refused, exit 2, nothing changed; --truncate --json works.
	code, _, errOut = runRehearse(t, nil, "generate", "--snapshot", file, "--dsn", srv.DSN(), "--rows", "customer=10")
	if code != 2 || !strings.Contains(errOut, "already hold rows") || !strings.Contains(errOut, "Try: ") {
		t.Errorf("second run: exit %d, %q", code, errOut)
	}
	code, out, errOut = runRehearse(t, nil, "generate", "--snapshot", file, "--dsn", srv.DSN(), "--rows", "customer=10", "--rows", "orders=20", "--truncate", "--json")
	var res datagen.Result
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Rows != 30 {
		t.Errorf("--truncate --json: exit %d, rows %d\n%s%s", code, res.Rows, out, errOut)
	}

	for _, bad := range [][]string{
		{"--snapshot", file},
		{"--snapshot", file, "--dsn", srv.DSN(), "--rows", "orders"},
		{"--snapshot", file, "--dsn", srv.DSN(), "--indexes", "sometimes"},
		{"--snapshot", file, "--dsn", srv.DSN(), "--tables", "nosuch"},
	} {
		if code, _, _ := runRehearse(t, nil, append([]string{"generate"}, bad...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
