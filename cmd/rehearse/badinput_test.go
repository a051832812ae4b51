package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// badInput is one mistake a user can make. Args and Env may hold
// placeholders: {seed} (an exported scenario: snapshot.json, migrations/),
// {fix} (fixture files made once), {out} (an empty folder of the case's
// own that must stay empty), {dsn} (a live server's DSN with a password),
// {dead} (an address nothing listens on).
type badInput struct {
	kind string // files, flags, DSNs, snapshots, migrations, signals
	what string // the mistake, for the table in docs/security.md
	args []string
	env  map[string]string
	says string // the message must say this: what to fix
}

var badInputs = []badInput{
	// files
	{"files", "snapshot file missing", []string{"run", "--snapshot", "{fix}/missing.json", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "missing.json"},
	{"files", "snapshot file empty", []string{"run", "--snapshot", "{fix}/empty.json", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "empty.json is empty"},
	{"files", "snapshot file cut short", []string{"run", "--snapshot", "{fix}/truncated.json", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "is truncated"},
	{"files", "snapshot file not JSON", []string{"plan", "--snapshot", "{seed}/rehearse.yaml", "--migrations", "{seed}/migrations"}, nil, "line 1"},
	{"files", "snapshot path is a folder", []string{"run", "--snapshot", "{seed}/migrations", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "migrations"},
	{"files", "migrations folder missing", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/no-such-dir", "--engine", "local"}, nil, "no-such-dir"},
	{"files", "migrations path is a file", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/snapshot.json", "--engine", "local"}, nil, "snapshot.json"},
	{"files", "config file missing", []string{"run", "--config", "{fix}/missing.yaml", "--engine", "local"}, nil, "missing.yaml"},
	{"files", "config file not YAML", []string{"run", "--config", "{fix}/bad.yaml", "--engine", "local"}, nil, "bad.yaml"},
	{"files", "load profile missing", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--load-profile", "{fix}/missing-load.yaml"}, nil, "missing-load.yaml"},
	{"files", "load profile names a table production lacks", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--load-profile", "{fix}/load-bad-table.yaml"}, nil, "no_such_table"},
	{"files", "diff of a missing snapshot", []string{"diff", "{seed}/snapshot.json", "{fix}/missing.json"}, nil, "missing.json"},
	{"files", "report of a missing file", []string{"report", "{fix}/missing-report.json"}, nil, "missing-report.json"},
	{"files", "report of a snapshot, not a report", []string{"report", "{seed}/snapshot.json", "--format", "md"}, nil, "snapshot.json"},
	{"files", "dump file missing", []string{"snapshot", "--from-dump", "{fix}/missing.sql", "--engine", "local", "-o", "{out}/s.json"}, nil, "missing.sql"},
	{"files", "sandbox of a missing snapshot", []string{"sandbox", "--engine", "local", "--snapshot", "{fix}/missing.json"}, nil, "missing.json"},
	{"files", "capacity of a missing snapshot", []string{"capacity", "--snapshot", "{fix}/missing.json", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "missing.json"},

	// flags
	{"flags", "--scale 0 (used to mean 100%)", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--scale", "0"}, nil, "--scale 0: not a positive number"},
	{"flags", "--scale negative", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--scale", "-0.5"}, nil, "--scale -0.5: not a positive number"},
	{"flags", "--scale NaN (used to become 100 rows)", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--scale", "NaN"}, nil, "--scale NaN: not a positive number"},
	{"flags", "--scale Inf", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--scale", "Inf"}, nil, "--scale +Inf: not a positive number"},
	{"flags", "sandbox --scale 0", []string{"sandbox", "--engine", "local", "--snapshot", "{seed}/snapshot.json", "--scale", "0"}, nil, "--scale 0: not a positive number"},
	{"flags", "sandbox --scale NaN", []string{"sandbox", "--engine", "local", "--snapshot", "{seed}/snapshot.json", "--scale", "nan"}, nil, "--scale NaN: not a positive number"},
	{"flags", "generate --scale 0", []string{"generate", "--snapshot", "{seed}/snapshot.json", "--dsn", "{dsn}", "--scale", "0"}, nil, "--scale 0: not a positive number"},
	{"flags", "capacity --scales with NaN", []string{"capacity", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--scales", "0.01,NaN,0.1"}, nil, `"NaN" is not a positive number`},
	{"flags", "capacity --target-scale 0", []string{"capacity", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--target-scale", "0"}, nil, "--target-scale 0: not a positive number"},
	{"flags", "scenarios run --scale 0", []string{"scenarios", "run", "mdl-pileup", "--engine", "local", "--scale", "0"}, nil, "--scale 0: not a positive number"},
	{"flags", "unknown --format", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--format", "xml"}, nil, `--format "xml" is not a format`},
	{"flags", "several formats, no --out-dir", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--format", "md,json"}, nil, "no --out-dir"},
	{"flags", "--out-dir on a read-only file system", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--out-dir", "/proc/rehearse-out", "--format", "json"}, nil, "cannot write in /proc"},
	{"flags", "--out-dir is a file", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--out-dir", "{seed}/snapshot.json/reports"}, nil, "is a file, not a folder"},
	{"flags", "-o into a missing folder", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "-o", "{fix}/no-such-dir/report.json"}, nil, "does not exist"},
	{"flags", "-o names a Markdown file", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--format", "md", "-o", "{out}/report.md"}, nil, "-o writes the JSON document"},
	{"flags", "plan -o names a JUnit file", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "-o", "{out}/junit.xml"}, nil, "the junit format's file"},
	{"flags", "-o is a folder", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "-o", "{out}"}, nil, "is a folder"},
	{"flags", "capacity -o unwritable", []string{"capacity", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "-o", "/proc/cap.json"}, nil, "cannot write in /proc"},
	{"flags", "plan --out-dir is a file", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--out-dir", "{seed}/snapshot.json", "--format", "json"}, nil, "is a file, not a folder"},
	{"flags", "plan -o unwritable", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "-o", "/proc/plan.json"}, nil, "cannot write in /proc"},
	{"flags", "diff -o into a missing folder", []string{"diff", "{seed}/snapshot.json", "{seed}/snapshot.json", "-o", "{fix}/no-such-dir/d.json"}, nil, "does not exist"},
	{"flags", "report --out-dir unwritable", []string{"report", "{fix}/report.json", "--format", "md,json", "--out-dir", "/proc/rehearse-reports"}, nil, "cannot write in /proc"},
	{"flags", "snapshot -o into a missing folder", []string{"snapshot", "--dsn", "{dsn}", "-o", "{fix}/no-such-dir/s.json"}, nil, "does not exist"},
	{"flags", "load-profile -o unwritable", []string{"load-profile", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "-o", "/proc/load.yaml"}, nil, "cannot write in /proc"},
	{"flags", "scenarios export into a file", []string{"scenarios", "export", "mdl-pileup", "{seed}/snapshot.json"}, nil, "is a file, not a folder"},
	{"flags", "--galera 1 (a cluster has 2 or more nodes)", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--galera", "1"}, nil, "--galera 1"},
	{"flags", "--galera with --replicas", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--galera", "3", "--replicas", "1"}, nil, "not both"},
	{"flags", "--galera on the dsn engine", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "dsn", "--dsn", "u:pw@tcp({dead})/", "--galera", "3"}, nil, "local or docker engine only"},
	{"flags", "--inject on a table production lacks", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--inject", "long-txn=no_such_table:5s"}, nil, `table "no_such_table" is not in database invest`},
	{"flags", "--inject at a migration that does not exist", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--inject", "fail-at=29991231:1"}, nil, `migration "29991231" is not in`},
	{"flags", "--inject of an unknown kind", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--inject", "slow-disk=1"}, nil, `unknown kind "slow-disk"`},
	{"flags", "--inject with a bad duration", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--inject", "long-txn=investments:forever"}, nil, "not a positive duration"},
	{"flags", "unknown --gate", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--gate", "max-fun=1"}, nil, `unknown gate "max-fun"`},
	{"flags", "--gate with a bad limit", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--gate", "max-lock-wait=soon"}, nil, "max-lock-wait"},
	{"flags", "--rows without =N", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--rows", "investments"}, nil, "want table=N"},
	{"flags", "--load negative", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--load", "-5"}, nil, "--load -5: negative"},
	{"flags", "--rollback-cmd without --migrate-cmd", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--rollback-cmd", "true"}, nil, "need --migrate-cmd"},
	{"flags", "--migrate-env of a connection variable", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--migrate-cmd", "true", "--migrate-env", "DB_HOST"}, nil, "--migrate-env DB_HOST"},
	{"flags", "--migrate-env NAME=VALUE", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--migrate-cmd", "true", "--migrate-env", "A=B"}, nil, "is not a variable name"},
	{"flags", "unknown --engine", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "podman"}, nil, "podman"},
	{"flags", "unknown --flavor", []string{"sandbox", "--engine", "local", "--flavor", "postgres"}, nil, "postgres"},
	{"flags", "--max-lock-hold 0", []string{"snapshot", "--dsn", "{dsn}", "--max-lock-hold", "0s", "-o", "{out}/s.json"}, nil, "--max-lock-hold 0s: must be at least 1ms"},
	{"flags", "snapshot without a source", []string{"snapshot", "-o", "{out}/s.json"}, map[string]string{"REHEARSE_SOURCE_DSN": "", "REHEARSE_DSN": ""}, "give either --dsn"},
	{"flags", "unknown flag", []string{"run", "--snapshot", "{seed}/snapshot.json", "--frobnicate"}, nil, "unknown flag: --frobnicate"},
	{"flags", "stray argument", []string{"run", "prod.json"}, nil, `unknown command "prod.json"`},
	{"flags", "--seed with no data to seed", []string{"sandbox", "--engine", "local", "--snapshot", "{seed}/snapshot.json", "--seed", "3"}, nil, "--seed needs data"},
	{"flags", "diff of one snapshot", []string{"diff", "{seed}/snapshot.json"}, nil, "accepts 2 arg"},
	{"flags", "unknown scenario", []string{"scenarios", "run", "no-such-incident", "--engine", "local"}, nil, "no-such-incident"},

	// DSNs
	{"DSNs", "a DSN that is not one", []string{"snapshot", "--dsn", "db.prod:3306", "-o", "{out}/s.json"}, nil, "cannot read the DSN"},
	{"DSNs", "a server that is not there", []string{"snapshot", "--dsn", "u:pw@tcp({dead})/", "-o", "{out}/s.json"}, nil, "cannot reach the server"},
	{"DSNs", "a wrong password", []string{"snapshot", "--dsn", "{dsn-wrong-pw}", "-o", "{out}/s.json"}, nil, "check the user and password"},
	{"DSNs", "--engine dsn without a DSN", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "dsn"}, map[string]string{"REHEARSE_TARGET_DSN": "", "REHEARSE_DSN": ""}, "REHEARSE_TARGET_DSN"},
	{"DSNs", "--dsn without --engine dsn", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--dsn", "{dsn}"}, nil, "--engine dsn"},
	{"DSNs", "only the old REHEARSE_DSN for the dsn engine", []string{"sandbox", "--engine", "dsn"}, map[string]string{"REHEARSE_TARGET_DSN": "", "REHEARSE_DSN": "{dsn}"}, "REHEARSE_DSN"},
	{"DSNs", "the dsn engine on the snapshot's own server", []string{"run", "--snapshot", "{fix}/live.json", "--migrations", "{seed}/migrations", "--engine", "dsn", "--dsn", "{dsn}", "--database", "app"}, nil, "source"},
	{"DSNs", "generate into a server that is not there", []string{"generate", "--snapshot", "{seed}/snapshot.json", "--dsn", "u:pw@tcp({dead})/"}, nil, "{dead}"},

	// snapshots
	{"snapshots", "create_sql that is DROP DATABASE", []string{"run", "--snapshot", "{fix}/drop-database.json", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "/schemas/0/tables/0/create_sql"},
	{"snapshots", "create_sql that creates another table", []string{"sandbox", "--engine", "local", "--snapshot", "{fix}/other-table.json"}, nil, "creates table other, not invest.accounts"},
	{"snapshots", "create_sql with an executable comment", []string{"plan", "--snapshot", "{fix}/exec-comment.json", "--migrations", "{seed}/migrations"}, nil, "creates a database"},
	{"snapshots", "a history table in another database", []string{"run", "--snapshot", "{fix}/history-mysql.json", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "/history/0/schema"},
	{"snapshots", "a charset that is SQL", []string{"run", "--snapshot", "{fix}/charset.json", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "/schemas/0/charset"},
	{"snapshots", "a future format version", []string{"run", "--snapshot", "{fix}/v9.json", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "unknown snapshot format version"},
	{"snapshots", "a snapshot of PostgreSQL", []string{"run", "--snapshot", "{fix}/postgres.json", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "unsupported flavor"},
	{"snapshots", "a version that is a path", []string{"sandbox", "--engine", "local", "--snapshot", "{fix}/version-path.json"}, nil, "/source/version"},
	{"snapshots", "a database the snapshot lacks", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--database", "nosuch"}, nil, `database "nosuch" is not in the snapshot`},
	{"snapshots", "two databases, no history, no --database", []string{"run", "--snapshot", "{fix}/two-dbs.json", "--migrations", "{seed}/migrations", "--engine", "local"}, nil, "--database"},

	// migrations
	{"migrations", "an empty migrations folder", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-empty", "--engine", "local"}, nil, "mig-empty"},
	{"migrations", "code migrations without --migrate-cmd", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-code", "--engine", "local"}, nil, "--migrate-cmd"},
	{"migrations", "an unknown --migrations-format", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--migrations-format", "rails-ish", "--engine", "local"}, nil, "rails-ish"},
	{"migrations", "an unterminated quote", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-quote"}, nil, "20240501_broken.up.sql:2"},
	{"migrations", "an up without its down in a paired format", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-dup", "--engine", "local"}, nil, "20240501"},
	{"migrations", "a dialect-suffixed folder with no mysql, mariadb or generic file", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-pg"}, nil, "none is for mysql or mariadb"},
	{"migrations", "an unknown dialect in a file name", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-oracle", "--migrations-format", "pop"}, nil, `unknown dialect "oracle"`},
	{"migrations", "an in-house runner's folder without --migrations-pattern", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-inhouse"}, nil, "--migrations-pattern 'V{version}.{name}.{direction}.sql'"},
	{"migrations", "a --migrations-pattern without {version}", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-inhouse", "--migrations-pattern", "V{name}.{direction}.sql"}, nil, "it has no {version}"},
	{"migrations", "two files of one version under --migrations-pattern", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-inhouse-dup", "--migrations-pattern", "V{version}.{name}.{direction}.sql"}, nil, "two migrations cannot share a version"},
	{"migrations", "a Sqitch change planned without its deploy script", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-sqitch"}, nil, "sqitch.plan:4: change add_note has no deploy/add_note.sql"},
	{"migrations", "a Sqitch change requiring one planned after it", []string{"plan", "--snapshot", "{seed}/snapshot.json", "--migrations", "{fix}/mig-sqitch"}, nil, "requires later_change, which is not planned before it"},
	{"migrations", "--history-version-column without --history-table", []string{"snapshot", "--dsn", "{dsn}", "--history-version-column", "version_after", "-o", "{out}/s.json"}, nil, "--history-table TABLE --history-version-column version_after"},
}

// TestBadInput: every mistake in the table exits 2 with a message that
// says what to fix, writes nothing (the case's output folder stays empty,
// the fixtures unchanged) and leaves nothing running (no sandbox folder in
// TMPDIR, no server process). The table is rendered into docs/security.md
// (REHEARSE_UPDATE_DOCS=1 rewrites it; otherwise a difference fails).
func TestBadInput(t *testing.T) {
	requireLocalMariaDB(t)
	if len(badInputs)+len(signalInputs) < 60 {
		t.Fatalf("only %d bad inputs", len(badInputs)+len(signalInputs))
	}
	fx := makeBadInputFixtures(t)
	var slowest time.Duration
	for i, c := range badInputs {
		t.Run(fmt.Sprintf("%02d %s", i, c.what), func(t *testing.T) {
			out, tmp := t.TempDir(), t.TempDir()
			t.Setenv("TMPDIR", tmp)
			for k, v := range c.env {
				t.Setenv(k, fx.expand(v, out))
			}
			args := make([]string, len(c.args))
			for j, a := range c.args {
				args[j] = fx.expand(a, out)
			}
			before := listing(t, fx.dir, fx.seed)
			start := time.Now()
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			code := execute(ctx, &ioStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, args)
			cancel()
			took := time.Since(start)
			if os.Getenv("REHEARSE_SHOW_MESSAGES") != "" {
				t.Logf("%s", strings.SplitN(stderr.String(), "\n\nUsage:", 2)[0])
			}
			slowest = max(slowest, took)
			says := fx.expand(c.says, out)
			if code != 2 || !strings.Contains(stderr.String(), says) {
				t.Errorf("rehearse %s: exit %d, want 2 and a message saying %q:\n%s", strings.Join(args, " "), code, says, stderr.String())
			}
			// The production guard must read the target's identity to refuse it;
			// nothing else may reach a server or start one.
			if started := strings.Contains(stderr.String(), "engine: starting") || strings.Contains(stderr.String(), "rehearse: provision"); started && c.kind != "DSNs" {
				t.Errorf("something started:\n%s", stderr.String())
			}
			assertNothingWritten(t, out, tmp)
			if after := listing(t, fx.dir, fx.seed); after != before {
				t.Errorf("the fixtures changed:\n%s\n---\n%s", before, after)
			}
		})
	}
	t.Logf("slowest bad input: %s", slowest.Round(time.Millisecond))
	checkBadInputDoc(t)
}

// assertNothingWritten: the output folder and TMPDIR are empty and no
// server runs from TMPDIR.
func assertNothingWritten(t *testing.T, out, tmp string) {
	t.Helper()
	for _, d := range []string{out, tmp} {
		if ents, _ := os.ReadDir(d); len(ents) > 0 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("written to %s: %v", d, names)
		}
	}
	if ps, _ := exec.Command("pgrep", "-f", "--", "--datadir="+tmp).Output(); len(ps) > 0 {
		t.Errorf("a server process runs from %s: %s", tmp, ps)
	}
}

// listing is every file under the folders with its size, to see that
// nothing changed.
func listing(t *testing.T, dirs ...string) string {
	var lines []string
	for _, d := range dirs {
		_ = filepath.Walk(d, func(p string, info os.FileInfo, err error) error {
			if err == nil {
				lines = append(lines, fmt.Sprintf("%s %d", p, info.Size()))
			}
			return nil
		})
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

type badFixtures struct {
	dir, seed, dsn, wrongPW, dead string
}

func (f badFixtures) expand(s, out string) string {
	return strings.NewReplacer("{fix}", f.dir, "{seed}", f.seed, "{out}", out, "{dsn-wrong-pw}", f.wrongPW, "{dsn}", f.dsn, "{dead}", f.dead).Replace(s)
}

// makeBadInputFixtures writes the broken files the table uses, starts a
// server with a password account (the DSN cases) and snapshots it (the
// production guard case).
func makeBadInputFixtures(t *testing.T) badFixtures {
	t.Helper()
	fx := badFixtures{dir: t.TempDir(), seed: exportSeed(t)}
	srv := testserver.Start(t, testserver.LocalMariaDB())
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const pw = "Bad-Input-pw1"
	testserver.Exec(t, db, "CREATE USER 'rh'@'127.0.0.1' IDENTIFIED BY '"+pw+"'", "GRANT ALL ON *.* TO 'rh'@'127.0.0.1'",
		"CREATE DATABASE app", "CREATE TABLE app.t (id int PRIMARY KEY)")
	fx.dsn = fmt.Sprintf("rh:%s@tcp(127.0.0.1:%d)/", pw, srv.Port)
	fx.wrongPW = fmt.Sprintf("rh:not-the-pw@tcp(127.0.0.1:%d)/", srv.Port)
	fx.dead = deadAddr(t)
	live, err := snapshot.Capture(context.Background(), db, snapshot.CaptureOptions{Databases: []string{"app"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := snapshot.WriteFile(filepath.Join(fx.dir, "live.json"), live); err != nil {
		t.Fatal(err)
	}

	raw, err := os.ReadFile(filepath.Join(fx.seed, "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	good := string(raw)
	seed, err := snapshot.Load(bytes.NewReader(raw), "seed")
	if err != nil {
		t.Fatal(err)
	}
	accounts := seed.Table("invest", "accounts").CreateSQL
	write := func(name, text string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(fx.dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(fx.dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mutate := func(name string, change func(s *snapshot.Snapshot)) {
		s, _ := snapshot.Load(bytes.NewReader(raw), "seed")
		change(s)
		var b bytes.Buffer
		if err := snapshot.Write(&b, s); err != nil {
			t.Fatal(err)
		}
		write(name, b.String())
	}
	write("empty.json", "")
	write("truncated.json", good[:len(good)/2])
	write("bad.yaml", "snapshot: [unclosed\n")
	write("load-bad-table.yaml", "format: rehearse.load-profile/v1\noperations:\n  - table: no_such_table\n    kind: insert\n    weight: 1\n")
	write("v9.json", strings.Replace(good, "rehearse.snapshot/v1", "rehearse.snapshot/v9", 1))
	write("postgres.json", strings.Replace(good, `"flavor": "mariadb"`, `"flavor": "postgres"`, 1))
	mutate("drop-database.json", func(s *snapshot.Snapshot) { s.Schemas[0].Tables[0].CreateSQL = "DROP DATABASE prod" })
	mutate("other-table.json", func(s *snapshot.Snapshot) {
		s.Schemas[0].Tables[0].CreateSQL = strings.Replace(accounts, "`accounts`", "`other`", 1)
	})
	mutate("exec-comment.json", func(s *snapshot.Snapshot) {
		s.Schemas[0].Tables[0].CreateSQL = strings.Replace(accounts, "CREATE TABLE", "CREATE /*!50100 DATABASE prod */ TABLE", 1)
	})
	mutate("history-mysql.json", func(s *snapshot.Snapshot) { s.History[0].Schema = "mysql" })
	mutate("charset.json", func(s *snapshot.Snapshot) { s.Schemas[0].Charset = "utf8mb4; DROP DATABASE prod" })
	mutate("two-dbs.json", func(s *snapshot.Snapshot) {
		other := s.Schemas[0]
		other.Name = "invest_copy"
		s.Schemas = append(s.Schemas, other)
		s.History = nil
	})
	write("version-path.json", strings.Replace(good, `"version": "10.11`, `"version": "../../10.11`, 1))
	// report.json: a real (if empty) report to re-render
	write("report.json", `{"format": "rehearse.report/v1", "verdict": "pass"}`)

	write("mig-pg/20190101000000000001_accounts.postgres.up.sql", "CREATE TABLE accounts (id serial);\n")
	write("mig-pg/20190101000000000001_accounts.sqlite3.up.sql", "CREATE TABLE accounts (id integer);\n")
	write("mig-oracle/1_accounts.oracle.up.sql", "CREATE TABLE accounts (id number);\n")
	write("mig-inhouse/V0001.Initial_Schema.up.sql", "CREATE TABLE notes (id int);\n")
	write("mig-inhouse/V0001.Initial_Schema.down.sql", "DROP TABLE notes;\n")
	write("mig-inhouse-dup/V0001.Initial_Schema.up.sql", "CREATE TABLE notes (id int);\n")
	write("mig-inhouse-dup/V01.Notes_Index.up.sql", "CREATE INDEX ix ON notes (id);\n")
	write("mig-sqitch/sqitch.plan", "%project=invest\n\nadd_rate 2024-05-01T00:00:00Z A <a@x>\nadd_note [later_change] 2024-05-02T00:00:00Z A <a@x>\n")
	write("mig-sqitch/deploy/add_rate.sql", "ALTER TABLE investments ADD COLUMN rate int;\n")
	for _, d := range []string{"mig-empty", "mig-code", "mig-quote", "mig-dup"} {
		if err := os.MkdirAll(filepath.Join(fx.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("mig-code/20240501_add_column.rb", "class AddColumn < ActiveRecord::Migration[7.0]\nend\n")
	write("mig-quote/20240501_broken.up.sql", "ALTER TABLE investments\n  ADD COLUMN note varchar(10) DEFAULT 'oops;\n")
	write("mig-quote/20240501_broken.down.sql", "ALTER TABLE investments DROP COLUMN note;\n")
	write("mig-dup/20240501_one.up.sql", "SELECT 1;\n")
	write("mig-dup/20240501_one.down.sql", "SELECT 1;\n")
	write("mig-dup/20240501_two.up.sql", "SELECT 2;\n")
	write("mig-dup/20240501_two.down.sql", "SELECT 2;\n")
	return fx
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// signalInput is an interruption: the real binary, a signal sent when a
// line appears on its standard error.
type signalInput struct {
	what   string
	args   []string
	after  string // send the signal when stderr shows this
	signal syscall.Signal
}

var signalInputs = []signalInput{
	{"Ctrl-C while the engine looks for a server", []string{"sandbox", "--engine", "local"}, "rehearse: starting", syscall.SIGINT},
	{"SIGTERM while a sandbox server starts", []string{"sandbox", "--engine", "local"}, "local engine: starting", syscall.SIGTERM},
	{"Ctrl-C while a rehearsal restores", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local"}, "rehearse: restore", syscall.SIGINT},
	{"SIGTERM while a rehearsal generates rows", []string{"run", "--snapshot", "{seed}/snapshot.json", "--migrations", "{seed}/migrations", "--engine", "local", "--scale", "0.05"}, "rehearse: generate", syscall.SIGTERM},
	{"Ctrl-C while a dump loads for a snapshot", []string{"snapshot", "--from-dump", "{seed}/../dump.sql", "--engine", "local", "-o", "{out}/s.json"}, "local engine: starting", syscall.SIGINT},
}

// TestBadInputSignals: an interruption at any of those moments exits 2,
// says it was interrupted, writes nothing and leaves nothing running.
func TestBadInputSignals(t *testing.T) {
	requireLocalMariaDB(t)
	bin := rehearseBinary(t)
	seed := exportSeed(t)
	if err := os.WriteFile(filepath.Join(seed, "..", "dump.sql"), []byte("CREATE DATABASE d;\nCREATE TABLE d.t (id int PRIMARY KEY);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fx := badFixtures{seed: seed}
	for i, c := range signalInputs {
		t.Run(fmt.Sprintf("%02d %s", i, c.what), func(t *testing.T) {
			// Short folders: a sandbox's socket path must fit 107 bytes.
			out, tmp := shortTempDir(t), shortTempDir(t)
			args := make([]string, len(c.args))
			for j, a := range c.args {
				args[j] = fx.expand(a, out)
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "REHEARSE_TARGET_DSN=", "REHEARSE_DSN=")
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			testserver.WaitFor(t, 2*time.Minute, fmt.Sprintf("%q on stderr", c.after), func() bool { return strings.Contains(stderr.String(), c.after) })
			if err := cmd.Process.Signal(c.signal); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatalf("no exit within a minute of %v:\n%s", c.signal, stderr.String())
			}
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != 2 || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("after %v: exit %d, want 2 and \"interrupted\":\n%s", c.signal, code, stderr.String())
			}
			assertNothingWritten(t, out, tmp)
		})
	}
}

func shortTempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("/tmp", "rh-bi-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// checkBadInputDoc renders both tables into docs/security.md between its
// markers: rewritten with REHEARSE_UPDATE_DOCS=1, else compared.
func checkBadInputDoc(t *testing.T) {
	t.Helper()
	var b strings.Builder
	b.WriteString("| # | kind | the mistake | command | exit | the message says |\n|---|---|---|---|---|---|\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
	n := 0
	for _, c := range badInputs {
		n++
		fmt.Fprintf(&b, "| %d | %s | %s | `rehearse %s` | 2 | %s |\n", n, c.kind, c.what, cell(strings.Join(c.args, " ")), cell(c.says))
	}
	for _, c := range signalInputs {
		n++
		fmt.Fprintf(&b, "| %d | signals | %s | `rehearse %s`, %s when stderr shows %q | 2 | interrupted |\n", n, c.what, cell(strings.Join(c.args, " ")), c.signal, c.after)
	}
	const begin, end = "<!-- bad-input table: generated by TestBadInput (REHEARSE_UPDATE_DOCS=1 go test ./cmd/rehearse -run TestBadInput) -->", "<!-- end of the bad-input table -->"
	path := filepath.Join("..", "..", "docs", "security.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no bad-input table markers (%q ... %q)", path, begin, end)
	}
	want := text[:i+len(begin)] + "\n" + b.String() + text[j:]
	if want == text {
		return
	}
	if os.Getenv("REHEARSE_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/security.md's bad-input table differs from the test's: run REHEARSE_UPDATE_DOCS=1 go test ./cmd/rehearse -run TestBadInput")
}
