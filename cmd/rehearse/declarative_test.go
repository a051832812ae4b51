package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/internal/testsnapshot"
	"github.com/rehearse/rehearse/snapshot"
)

// TestTargetSchema: a declarative target (Skeema-style folder of CREATE
// statements) that adds an index, widens a column and drops one. Without
// --allow-destructive plan refuses, naming the column; with it, plan shows
// Atlas's ALTERs and run rehearses them on production's server (MariaDB
// 10.11 and MySQL 9.7), with the reverse diff as the down.
func TestTargetSchema(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			snap := testsnapshot.Capture(t, target, `CREATE DATABASE app;
CREATE TABLE app.orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(20) NOT NULL, note VARCHAR(50) NULL, legacy INT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO app.orders (customer, note, legacy) VALUES ('a', 'x', 1), ('b', NULL, 2);`,
				snapshot.CaptureOptions{Databases: []string{"app"}, SkipPrivilegeCheck: true, Origin: "target-schema test"})
			dir := t.TempDir()
			snapFile := filepath.Join(dir, "prod.json")
			if err := snapshot.WriteFile(snapFile, snap); err != nil {
				t.Fatal(err)
			}
			schemaDir := filepath.Join(dir, "schema")
			if err := os.MkdirAll(schemaDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(schemaDir, "orders.sql"), []byte(
				"CREATE TABLE orders (\n  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n  customer VARCHAR(80) NOT NULL,\n  note VARCHAR(50) NULL,\n"+
					"  KEY ix_customer (customer)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			engineArgs := []string{"--engine", "local"}

			code, stdout, stderr := runRehearse(t, nil, append([]string{"plan", "--snapshot", snapFile, "--target-schema", schemaDir}, engineArgs...)...)
			if code != 2 || !strings.Contains(stderr, "column orders.legacy") || !strings.Contains(stderr, "--allow-destructive") {
				t.Fatalf("destructive target without --allow-destructive: exit %d, want 2 naming orders.legacy\n%s%s", code, stdout, stderr)
			}
			code, stdout, stderr = runRehearse(t, nil, append([]string{"plan", "--snapshot", snapFile, "--target-schema", schemaDir, "--allow-destructive", "--format", "json"}, engineArgs...)...)
			for _, want := range []string{`"key": "target-schema"`, "ADD INDEX `ix_customer` (`customer`)", "varchar(80)", "DROP COLUMN `legacy`", `"ok": true`} {
				if !strings.Contains(stdout, want) {
					t.Errorf("plan --allow-destructive: exit %d, no %q in\n%s%s", code, want, stdout, stderr)
				}
			}
			out := filepath.Join(t.TempDir(), "report.json")
			code, _, stderr = runRehearse(t, nil, append([]string{"run", "--snapshot", snapFile, "--target-schema", schemaDir, "--allow-destructive",
				"--scale", "1", "--rows", "orders=2000", "--baseline", "300ms", "--app-compat-window", "200ms", "--load", "30", "--gate", "app-compat=off", "-o", out}, engineArgs...)...)
			rep := readReport(t, out)
			// The verdict is the gates' (a table copy under load may fail
			// max-stall-share on MySQL): the computed ALTERs must apply.
			if code == 2 || len(rep.Migrations) != 1 || rep.Migrations[0].Status != "applied" {
				t.Fatalf("run: exit %d, migrations %+v, want the computed migration applied\n%s", code, rep.Migrations, stderr)
			}
			// The reverse diff puts the column back, without its values.
			if rep.Rollback == nil || len(rep.Rollback.Migrations) != 1 || rep.Rollback.Migrations[0].Verdict != "data_lost" ||
				!strings.Contains(strings.Join(rep.Rollback.Migrations[0].Detail, " "), "orders.legacy") {
				t.Fatalf("rollback (the reverse diff) %+v", rep.Rollback)
			}
			t.Logf("run exit %d; rollback %s %v", code, rep.Rollback.Migrations[0].Verdict, rep.Rollback.Migrations[0].Detail)
		})
	}
}
