package main

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/snapshot"
)

// formatCase is one migration format end to end: production (a table the
// first migration created and the runner's own history table saying so),
// the release's folder (migration 2 pending), and a bad input.
type formatCase struct {
	name                        string
	databases                   []string // captured (default: app)
	setup                       []string // production, after CREATE DATABASE app
	files                       map[string]string
	args                        []string // extra plan/run arguments
	historyTable, historyColumn string
	pending                     string // the pending migration's version, as the report names it
	rollback                    string // its rollback verdict
	// bad changes the folder (nil: none); badExit and badSays are what
	// rehearse plan must answer.
	bad     func(files map[string]string)
	badExit int
	badSays string
}

const createT = "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20) NOT NULL);\n"

func sha256hex(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
func sha1hex(s string) string   { h := sha1.Sum([]byte(s)); return hex.EncodeToString(h[:]) }

var formatCases = []formatCase{
	{
		name:  "pop",
		setup: []string{createT, "CREATE TABLE schema_migration (version varchar(48) NOT NULL, version_self int NOT NULL DEFAULT 0, UNIQUE KEY (version))", "INSERT INTO schema_migration (version) VALUES ('20190101000000000001')"},
		files: map[string]string{
			"20190101000000000001_create_t.mysql.up.sql":    createT,
			"20190101000000000001_create_t.postgres.up.sql": "CREATE TABLE t (id SERIAL PRIMARY KEY, a TEXT);",
			"20190101000000000001_create_t.down.sql":        "DROP TABLE t;",
			"20190101000000000002_add_b.mysql.up.sql":       "ALTER TABLE t ADD COLUMN b INT NULL;",
			"20190101000000000002_add_b.postgres.up.sql":    "ALTER TABLE t ADD COLUMN b INTEGER GENERATED ALWAYS AS IDENTITY;",
			"20190101000000000002_add_b.all.down.sql":       "ALTER TABLE t DROP COLUMN b;",
		},
		pending: "20190101000000000002", rollback: "restores",
		bad: func(f map[string]string) {
			for k := range f {
				if strings.Contains(k, ".mysql.") || strings.Contains(k, ".all.") || strings.HasSuffix(k, "_t.down.sql") {
					delete(f, k)
				}
			}
		},
		badExit: 2, badSays: "none is for mysql or mariadb",
	},
	{
		name:  "pattern",
		setup: []string{createT, "CREATE TABLE migrations (id INTEGER NOT NULL PRIMARY KEY AUTO_INCREMENT, applied TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, version_before INTEGER NULL DEFAULT NULL, version_after INTEGER NOT NULL, application_version VARCHAR(128) NOT NULL)", "INSERT INTO migrations (version_before, version_after, application_version) VALUES (NULL, 1, 'v4.38.0')"},
		files: map[string]string{
			"V0001.Create_T.up.sql": createT, "V0001.Create_T.down.sql": "DROP TABLE t;",
			"V0002.Add_B.up.sql": "ALTER TABLE t ADD COLUMN b INT NULL;", "V0002.Add_B.down.sql": "ALTER TABLE t DROP COLUMN b;",
			"rehearse.yaml": "migrations_pattern: 'V{version}.{name}.{direction}.sql'\n",
		},
		historyTable: "migrations", historyColumn: "version_after",
		pending: "0002", rollback: "restores",
		bad:     func(f map[string]string) { f["V02.Add_C.up.sql"] = "ALTER TABLE t ADD COLUMN c INT;" },
		badExit: 2, badSays: "two migrations cannot share a version",
	},
	{
		name: "prisma",
		setup: []string{createT,
			"CREATE TABLE _prisma_migrations (id VARCHAR(36) NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at DATETIME(3) NULL, migration_name VARCHAR(255) NOT NULL, logs TEXT NULL, rolled_back_at DATETIME(3) NULL, started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0, PRIMARY KEY (id))",
			"INSERT INTO _prisma_migrations VALUES ('a1', '" + sha256hex(createT) + "', '2024-01-01 00:00:01', '20240101000000_init', NULL, NULL, '2024-01-01 00:00:00', 1)," +
				"('a2', 'x', NULL, '20240201000000_add_b', 'failed', '2024-02-01 00:00:05', '2024-02-01 00:00:00', 0)"},
		files: map[string]string{
			"migration_lock.toml":                "provider = \"mysql\"\n",
			"20240101000000_init/migration.sql":  createT,
			"20240201000000_add_b/migration.sql": "ALTER TABLE t ADD COLUMN b INT NULL;\n",
		},
		pending: "20240201000000", rollback: "irreversible",
		bad: func(f map[string]string) {
			f["20240101000000_init/migration.sql"] = strings.Replace(createT, "20", "40", 1)
		},
		badExit: 0, badSays: "RH003",
	},
	{
		name: "atlas",
		setup: []string{createT,
			"CREATE TABLE atlas_schema_revisions (version varchar(255) NOT NULL, description varchar(255) NOT NULL, type bigint unsigned NOT NULL DEFAULT 2, applied bigint NOT NULL DEFAULT 0, total bigint NOT NULL DEFAULT 0, executed_at timestamp(6) NOT NULL, execution_time bigint NOT NULL, error longtext NULL, error_stmt longtext NULL, hash varchar(255) NOT NULL, partial_hashes json NULL, operator_version varchar(255) NOT NULL, PRIMARY KEY (version))",
			"INSERT INTO atlas_schema_revisions VALUES ('20240101000000', 'init', 2, 1, 1, '2024-01-01 00:00:00', 1000, NULL, NULL, 'h', NULL, 'Atlas CLI v0.32.0')"},
		files: map[string]string{
			"20240101000000_init.sql":  createT,
			"20240201000000_add_b.sql": "-- atlas:txmode none\n\nALTER TABLE t ADD COLUMN b INT NULL;\n",
		},
		pending: "20240201000000", rollback: "irreversible",
		bad:     func(f map[string]string) { f["20240101000000_init.sql"] = strings.Replace(createT, "20", "40", 1) },
		badExit: 1, badSays: "RH013",
	},
	{
		name:      "sqitch",
		databases: []string{"app", "sqitch"},
		setup: []string{createT, "CREATE DATABASE sqitch",
			"CREATE TABLE sqitch.projects (project VARCHAR(255) PRIMARY KEY, uri VARCHAR(255) NULL UNIQUE, created_at DATETIME(6) NOT NULL, creator_name VARCHAR(255) NOT NULL, creator_email VARCHAR(255) NOT NULL)",
			"CREATE TABLE sqitch.changes (change_id VARCHAR(40) PRIMARY KEY, script_hash VARCHAR(40) NULL, `change` VARCHAR(255) NOT NULL, project VARCHAR(255) NOT NULL, note TEXT NOT NULL, committed_at DATETIME(6) NOT NULL, committer_name VARCHAR(255) NOT NULL, committer_email VARCHAR(255) NOT NULL, planned_at DATETIME(6) NOT NULL, planner_name VARCHAR(255) NOT NULL, planner_email VARCHAR(255) NOT NULL)",
			"INSERT INTO sqitch.projects VALUES ('shop', NULL, '2024-01-01', 'A', 'a@x')",
			"INSERT INTO sqitch.changes VALUES ('c1', '" + sha1hex(createT) + "', 'create_t', 'shop', '', '2024-01-01 00:00:01', 'A', 'a@x', '2024-01-01', 'A', 'a@x')"},
		files: map[string]string{
			"sqitch.plan":         "%syntax-version=1.0.0\n%project=shop\n\ncreate_t 2024-01-01T00:00:00Z A <a@x> # t\nadd_b [create_t] 2024-02-01T00:00:00Z A <a@x> # b\n",
			"deploy/create_t.sql": createT, "revert/create_t.sql": "DROP TABLE t;\n", "verify/create_t.sql": "SELECT id, a FROM t WHERE 0;\n",
			"deploy/add_b.sql": "ALTER TABLE t ADD COLUMN b INT NULL;\n", "revert/add_b.sql": "ALTER TABLE t DROP COLUMN b;\n",
			"verify/add_b.sql": "SELECT id, b FROM t WHERE 0;\n",
		},
		pending: "add_b", rollback: "restores",
		// The verify checks a column the deploy does not create: sqitch
		// reverts and stops; the run fails with RUN207.
		bad:     func(f map[string]string) { f["verify/add_b.sql"] = "SELECT id, c FROM t WHERE 0;\n" },
		badExit: 1, badSays: "RUN207",
	},
}

// TestFormatsEndToEnd: for each format, production's own history table on
// a real MariaDB, the pending set rehearse plan and run compute from it,
// the up and the down rehearsed, and a bad input answered as the runner
// would (exit and message).
func TestFormatsEndToEnd(t *testing.T) {
	srv := testserver.Start(t, testserver.LocalMariaDB())
	for _, c := range formatCases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range []string{"DROP DATABASE IF EXISTS app", "DROP DATABASE IF EXISTS sqitch", "CREATE DATABASE app", "USE app"} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.ExecContext(ctx, "USE app")
			for _, q := range c.setup {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			dbs := c.databases
			if dbs == nil {
				dbs = []string{"app"}
			}
			co := snapshot.CaptureOptions{Databases: dbs, SkipPrivilegeCheck: true, Origin: "formats test"}
			if c.historyTable != "" {
				co.HistoryTables, co.HistoryVersionColumn = []string{c.historyTable}, c.historyColumn
			}
			snap, err := snapshot.Capture(ctx, db, co)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			snapFile := filepath.Join(dir, "snapshot.json")
			if err := snapshot.WriteFile(snapFile, snap); err != nil {
				t.Fatal(err)
			}
			writeFolder := func(files map[string]string) string {
				mig := filepath.Join(t.TempDir(), "migrations")
				for name, body := range files {
					p := filepath.Join(mig, name)
					os.MkdirAll(filepath.Dir(p), 0o755)
					if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if c.name == "atlas" {
					sum, err := migrations.AtlasSum(mig)
					if err != nil {
						t.Fatal(err)
					}
					os.WriteFile(filepath.Join(mig, migrations.AtlasSumFile), sum, 0o644)
				}
				return mig
			}
			mig := writeFolder(c.files)
			extra := append([]string{}, c.args...)
			if _, ok := c.files["rehearse.yaml"]; ok {
				extra = append(extra, "--config", filepath.Join(mig, "rehearse.yaml"))
			}

			code, stdout, stderr := runRehearse(t, nil, append([]string{"plan", "--no-verify", "--snapshot", snapFile, "--migrations", mig}, extra...)...)
			if code != 0 || !strings.Contains(stdout, c.pending) {
				t.Fatalf("plan: exit %d, want 0 with %s pending\n%s%s", code, c.pending, stdout, stderr)
			}
			// Detection says which format it picked and why.
			if !strings.Contains(stderr, "read as "+c.name+" (") {
				t.Errorf("plan does not say which format it read: %s", stderr)
			}
			out := filepath.Join(t.TempDir(), "report.json")
			code, _, stderr = runRehearse(t, nil, append([]string{"run", "--engine", "local", "--scale", "0.5", "--baseline", "300ms",
				"--app-compat-window", "200ms", "--load", "30", "-o", out, "--snapshot", snapFile, "--migrations", mig}, extra...)...)
			rep := readReport(t, out)
			if code != 0 || len(rep.Migrations) != 1 || rep.Migrations[0].Version != c.pending || rep.Migrations[0].Status != "applied" {
				t.Fatalf("run: exit %d, migrations %+v, want %s applied\n%s", code, rep.Migrations, c.pending, stderr)
			}
			if rep.Rollback == nil || len(rep.Rollback.Migrations) != 1 || rep.Rollback.Migrations[0].Verdict != c.rollback {
				t.Fatalf("rollback %+v, want %s", rep.Rollback, c.rollback)
			}

			bad := map[string]string{}
			for k, v := range c.files {
				bad[k] = v
			}
			c.bad(bad)
			badMig := writeFolder(bad)
			if c.name == "atlas" { // the sum of the good folder: the edit is a tampering
				good, _ := os.ReadFile(filepath.Join(mig, migrations.AtlasSumFile))
				os.WriteFile(filepath.Join(badMig, migrations.AtlasSumFile), good, 0o644)
			}
			cmd := []string{"plan", "--no-verify", "--snapshot", snapFile, "--migrations", badMig}
			if c.name == "sqitch" {
				cmd = []string{"run", "--engine", "local", "--scale", "0.5", "--baseline", "300ms", "--app-compat-window", "200ms", "--load", "30", "--snapshot", snapFile, "--migrations", badMig}
			}
			if _, ok := bad["rehearse.yaml"]; ok {
				extra[len(extra)-1] = filepath.Join(badMig, "rehearse.yaml")
			}
			code, stdout, stderr = runRehearse(t, nil, append(cmd, extra...)...)
			if code != c.badExit || !strings.Contains(stdout+stderr, c.badSays) {
				t.Errorf("bad input: exit %d, want %d saying %q\n%s%s", code, c.badExit, c.badSays, stdout, stderr)
			}
		})
	}
}

type formatReport struct {
	Migrations []struct{ Version, Status string }
	Rollback   *struct {
		Migrations []struct {
			Version, Verdict string
			Detail           []string
		}
	}
}

func readReport(t *testing.T, path string) formatReport {
	t.Helper()
	var rep formatReport
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report: %v", err)
	}
	return rep
}
