package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
)

// TestMigrateCmdEnvironment: a real migrate command (a shell script that
// writes its environment to a file and connects with the DB_* names, as a
// Laravel app would) sees the sandbox, not the CI's DB_HOST=prod.example or
// its cloud credentials; --migrate-env passes one more variable; on the dsn
// engine the DSN's password reaches it. On the local and the dsn engine.
func TestMigrateCmdEnvironment(t *testing.T) {
	requireLocalMariaDB(t)
	client := testserver.Tool(t, "mariadb", "mariadb-client")
	t.Setenv("DB_HOST", "prod.example")
	t.Setenv("DB_PASSWORD", "prod-password")
	t.Setenv("DATABASE_URL", "mysql://app:prod-password@prod.example:3306/app")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "ci-cloud-secret")
	t.Setenv("RAILS_ENV", "production")

	const pw = "Dsn-Target-pw1"
	target := testserver.Start(t, testserver.LocalMariaDB())
	db, err := target.Open("")
	if err != nil {
		t.Fatal(err)
	}
	// The least-privilege dsn account (docs/security.md): a --migrate-cmd
	// on the dsn engine needs one (or --unconfined-migrate-cmd).
	for _, q := range []string{"CREATE USER 'mig'@'127.0.0.1' IDENTIFIED BY '" + pw + "'", "GRANT ALL ON `rehearse\\_%`.* TO 'mig'@'127.0.0.1'",
		"GRANT SLAVE MONITOR ON *.* TO 'mig'@'127.0.0.1'", "GRANT SELECT, UPDATE ON performance_schema.setup_instruments TO 'mig'@'127.0.0.1'"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	seed := exportSeed(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "migrate.sh")
	body := `#!/bin/sh
env | sort > "$1"
exec ` + client + ` --protocol=tcp -h"$DB_HOST" -P"$DB_PORT" -u"$DB_USERNAME" ${DB_PASSWORD:+--password="$DB_PASSWORD"} "$DB_DATABASE" \
  -e "CREATE TABLE made_by_migrate_cmd (id int PRIMARY KEY)"
`
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		engine []string
		wantPW string
	}{
		{[]string{"--engine", "local"}, ""},
		{[]string{"--engine", "dsn", "--dsn", fmt.Sprintf("mig:%s@tcp(127.0.0.1:%d)/", pw, target.Port)}, pw},
	} {
		t.Run(c.engine[1], func(t *testing.T) {
			envFile := filepath.Join(dir, c.engine[1]+".env")
			args := append([]string{"run", "--snapshot", filepath.Join(seed, "snapshot.json"), "--migrations", filepath.Join(seed, "migrations"),
				"--scale", "0.001", "--baseline", "1s", "--app-compat-window", "1s", "--no-rollback", "--format", "json",
				"--migrate-cmd", script + " " + envFile, "--migrate-env", "RAILS_ENV"}, c.engine...)
			code, stdout, stderr := runRehearse(t, nil, args...)
			if code == 2 {
				t.Fatalf("exit 2\n%s", stderr)
			}
			raw, err := os.ReadFile(envFile)
			if err != nil {
				t.Fatalf("the command did not run: %v\n%s", err, stderr)
			}
			env := map[string]string{}
			for _, l := range strings.Split(string(raw), "\n") {
				if k, v, ok := strings.Cut(l, "="); ok {
					env[k] = v
				}
			}
			for _, k := range []string{"AWS_SECRET_ACCESS_KEY"} {
				if _, ok := env[k]; ok {
					t.Errorf("%s reached the migrate command", k)
				}
			}
			if env["DB_HOST"] != "127.0.0.1" || env["DB_PORT"] == "" || env["DB_PORT"] == "3306" {
				t.Errorf("DB_HOST=%q DB_PORT=%q: want the sandbox", env["DB_HOST"], env["DB_PORT"])
			}
			if env["DB_PASSWORD"] != c.wantPW || env["MYSQL_PASSWORD"] != c.wantPW {
				t.Errorf("DB_PASSWORD=%q MYSQL_PASSWORD=%q, want %q", env["DB_PASSWORD"], env["MYSQL_PASSWORD"], c.wantPW)
			}
			if strings.Contains(env["DATABASE_URL"], "prod.example") || !strings.Contains(env["DATABASE_URL"], "127.0.0.1:"+env["DB_PORT"]) {
				t.Errorf("DATABASE_URL=%q", env["DATABASE_URL"])
			}
			if env["RAILS_ENV"] != "production" || env["PATH"] == "" {
				t.Errorf("RAILS_ENV=%q PATH=%q: --migrate-env and the base variables must pass", env["RAILS_ENV"], env["PATH"])
			}
			if p, _ := strconv.Atoi(env["DB_PORT"]); c.engine[1] == "dsn" && p != target.Port {
				t.Errorf("DB_PORT=%d, want the dsn target's %d", p, target.Port)
			}
			// The command reached the sandbox with those variables: the
			// client it ran (CREATE TABLE through DB_HOST, DB_PORT,
			// DB_USERNAME, DB_PASSWORD, DB_DATABASE) succeeded.
			var rep struct {
				Migrations []struct{ Status string } `json:"migrations"`
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Migrations) != 1 || rep.Migrations[0].Status != "applied" {
				t.Errorf("the migrate command did not apply (did it connect?): %+v %v\n%s", rep, err, lastLines(stderr, 15))
			}
			if strings.Contains(stdout+stderr, pw) {
				t.Error("the dsn password was printed")
			}
		})
	}

	// A connection name cannot be passed through: refused before anything
	// starts.
	code, _, stderr := runRehearse(t, nil, "run", "--snapshot", filepath.Join(seed, "snapshot.json"), "--migrations", filepath.Join(seed, "migrations"),
		"--migrate-cmd", "true", "--migrate-env", "DB_HOST")
	if code != 2 || !strings.Contains(stderr, "--migrate-env DB_HOST") {
		t.Errorf("--migrate-env DB_HOST: exit %d\n%s", code, stderr)
	}
	// --unconfined-migrate-cmd is for a --migrate-cmd on the dsn engine.
	for _, extra := range [][]string{{}, {"--migrate-cmd", "true", "--engine", "local"}} {
		args := append([]string{"run", "--snapshot", filepath.Join(seed, "snapshot.json"), "--migrations", filepath.Join(seed, "migrations"), "--unconfined-migrate-cmd"}, extra...)
		code, _, stderr = runRehearse(t, nil, args...)
		if code != 2 || !strings.Contains(stderr, "--unconfined-migrate-cmd") {
			t.Errorf("%v: exit %d\n%s", args, code, stderr)
		}
	}
}
