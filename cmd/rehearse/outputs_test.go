package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/scenarios"
)

// TestOutputsMaskThePassword: with a DSN holding a password (the dsn engine
// and the snapshot's source), no file any command writes — reports in every
// format, -o documents, snapshot, plan, diff, load profile, scenario export
// — and nothing printed contains it; every file is whole (no temporary file
// left) and snapshots are readable by their owner only.
func TestOutputsMaskThePassword(t *testing.T) {
	requireLocalMariaDB(t)
	const pw = "0utPut-S3cret-pw"
	srv := testserver.Start(t, testserver.LocalMariaDB())
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE USER 'rh'@'127.0.0.1' IDENTIFIED BY '" + pw + "'",
		"GRANT ALL ON *.* TO 'rh'@'127.0.0.1'",
		"CREATE DATABASE src",
		// production's own text can hold a credential too
		"CREATE TABLE src.t (id int PRIMARY KEY, v varchar(20)) COMMENT 'copied from mysql://rh:" + pw + "@db:3306/src'",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	dsn := fmt.Sprintf("rh:%s@tcp(127.0.0.1:%d)/", pw, srv.Port)
	seed := exportSeed(t)
	snap, mig := filepath.Join(seed, "snapshot.json"), filepath.Join(seed, "migrations")
	out := t.TempDir()
	o := func(name string) string { return filepath.Join(out, name) }

	steps := [][]string{
		{"snapshot", "--dsn", dsn, "--databases", "src", "--column-stats", "-o", o("src.json")},
		{"run", "--snapshot", snap, "--migrations", mig, "--engine", "dsn", "--dsn", dsn, "--scale", "0.001",
			"--baseline", "1s", "--app-compat-window", "1s", "-o", o("run.json"),
			"--format", "table,md,junit,html,json,prom", "--out-dir", o("run")},
		// a migrate command that logs its connection string and fails: its
		// output's tail is in the report
		{"run", "--snapshot", snap, "--migrations", mig, "--engine", "dsn", "--dsn", dsn, "--scale", "0.001",
			"--baseline", "1s", "--app-compat-window", "1s", "-o", o("run-cmd.json"),
			"--migrate-cmd", "echo connecting to mysql://app:" + pw + "@db.internal:3306/app; exit 3", "--unconfined-migrate-cmd"}, // rh can write anywhere
		{"plan", "--snapshot", snap, "--migrations", mig, "--engine", "dsn", "--dsn", dsn, "-o", o("plan.json"),
			"--format", "table,md,junit,json", "--out-dir", o("plan")},
		{"diff", o("src.json"), snap, "-o", o("diff.json"), "--format", "table,md,junit,json", "--out-dir", o("diff")},
		{"load-profile", "--snapshot", snap, "--migrations", mig, "-o", o("load.yaml")},
		{"report", o("run.json"), "--format", "md", "-o", o("report.md")},
		{"scenarios", "export", "unique-index-rerun", o("export")},
	}
	for _, args := range steps {
		code, stdout, stderr := runRehearse(t, nil, args...)
		t.Logf("%s: exit %d\n%s", args[0], code, lastLines(stderr, 4))
		if code == 2 {
			t.Errorf("%s: exit 2\n%s", args[0], stderr)
		}
		if strings.Contains(stdout+stderr, pw) {
			for _, l := range strings.Split(stdout+stderr, "\n") {
				if strings.Contains(l, pw) {
					t.Errorf("%s printed the password: %s", args[0], l)
				}
			}
		}
	}
	var files int
	_ = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(out, p)
		if strings.Contains(string(b), pw) {
			t.Errorf("%s contains the password", rel)
		}
		if strings.HasSuffix(p, ".tmp") || strings.HasPrefix(d.Name(), ".") && d.Name() != scenarios.ManifestName {
			t.Errorf("%s: a temporary file was left behind", rel)
		}
		if info, _ := d.Info(); (d.Name() == "src.json" || d.Name() == "snapshot.json") && info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600 (a snapshot describes production)", rel, info.Mode().Perm())
		}
		return nil
	})
	if files < 15 {
		t.Errorf("only %d files written; some step wrote nothing", files)
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}
