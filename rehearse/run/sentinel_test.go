package run

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/scope"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
	"github.com/rehearse/rehearse/snapshot"
)

// sentinelDDL is database app on production and on the shared server: on
// the shared server it is the sentinel, which must come out of every
// rehearsal byte-identical. The objects' bodies name app. explicitly.
const sentinelDDL = `
CREATE DATABASE app;
CREATE TABLE app.accounts (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(32) NOT NULL, balance DECIMAL(12,2) NOT NULL DEFAULT 0) ENGINE=InnoDB;
CREATE TABLE app.audit (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, account_id INT, note VARCHAR(64)) ENGINE=InnoDB;
CREATE TABLE app.schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty TINYINT(1) NOT NULL);
INSERT INTO app.schema_migrations VALUES (1, 0);
CREATE VIEW app.rich AS SELECT id, name FROM app.accounts WHERE balance > 100;
CREATE TRIGGER app.accounts_ai AFTER INSERT ON app.accounts FOR EACH ROW INSERT INTO app.audit (account_id, note) VALUES (NEW.id, 'created');
CREATE FUNCTION app.total() RETURNS DECIMAL(14,2) READS SQL DATA RETURN (SELECT COALESCE(SUM(balance), 0) FROM app.accounts);
CREATE PROCEDURE app.wipe() MODIFIES SQL DATA DELETE FROM app.audit;
CREATE EVENT app.purge ON SCHEDULE EVERY 1 HOUR DISABLE DO DELETE FROM app.audit WHERE id < 0;
`

func execScript(t *testing.T, db *sql.DB, script string) {
	t.Helper()
	stmts, err := sqlsplit.SplitString(script, sqlsplit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := db.Exec(s.Text); err != nil {
			t.Fatalf("%s: %v", s.Text, err)
		}
	}
}

// sentinel is what a shared server holds, as text: every database's
// SHOW CREATE of every object, CHECKSUM TABLE and row count of every
// table, its information_schema rows, the accounts and their grants, the
// global variables and the metadata-lock instrument's setting. The
// scratch databases (rehearse_*) are left out.
func sentinel(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	rows := func(key, q string, args ...any) {
		r, err := db.Query(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer r.Close()
		cols, _ := r.Columns()
		var b strings.Builder
		for r.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(v.String)
			}
			b.WriteByte('\n')
		}
		out[key] = b.String()
	}
	var dbs []string
	r, err := db.Query(`SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT LIKE 'rehearse\_%' AND SCHEMA_NAME NOT IN ('information_schema', 'performance_schema') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var s string
		r.Scan(&s)
		dbs = append(dbs, s)
	}
	r.Close()
	out["databases"] = strings.Join(dbs, ",")
	q := mysqlkit.Quote
	for _, d := range dbs {
		rows("create database "+d, "SHOW CREATE DATABASE "+q(d))
		system := d == "mysql" || d == "sys"
		for _, is := range []string{"TABLES", "COLUMNS", "STATISTICS", "VIEWS", "ROUTINES", "TRIGGERS", "EVENTS"} {
			cols := "*"
			if is == "TABLES" { // statistics the server refreshes on its own
				cols = "TABLE_NAME, TABLE_TYPE, ENGINE, ROW_FORMAT, TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT"
			}
			if system && is != "TABLES" {
				continue
			}
			schemaCol := map[string]string{"ROUTINES": "ROUTINE_SCHEMA", "TRIGGERS": "TRIGGER_SCHEMA", "EVENTS": "EVENT_SCHEMA"}[is]
			if schemaCol == "" {
				schemaCol = "TABLE_SCHEMA"
			}
			// A total order: MySQL returns a table's columns and index
			// parts in no fixed order when sorted by table alone.
			order := map[string]string{"COLUMNS": "TABLE_NAME, ORDINAL_POSITION", "STATISTICS": "TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"}[is]
			if order == "" {
				order = "1, 2, 3"
			}
			rows("information_schema."+is+" "+d, "SELECT "+cols+" FROM information_schema."+is+" WHERE "+schemaCol+" = ? ORDER BY "+order, d)
		}
		if system {
			continue // the server's own bookkeeping (statistics of every table) moves; accounts are compared below
		}
		tr, err := db.Query("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1", d)
		if err != nil {
			t.Fatal(err)
		}
		type tab struct{ name, kind string }
		var tabs []tab
		for tr.Next() {
			var x tab
			tr.Scan(&x.name, &x.kind)
			tabs = append(tabs, x)
		}
		tr.Close()
		for _, x := range tabs {
			full := q(d) + "." + q(x.name)
			if x.kind == "VIEW" {
				rows("create view "+full, "SHOW CREATE VIEW "+full)
				continue
			}
			rows("create table "+full, "SHOW CREATE TABLE "+full)
			rows("checksum "+full, "CHECKSUM TABLE "+full+" EXTENDED")
			rows("count "+full, "SELECT COUNT(*) FROM "+full)
		}
		for _, kind := range []string{"PROCEDURE", "FUNCTION"} {
			for _, n := range names(t, db, "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE = ?", d, kind) {
				rows("create "+kind+" "+d+"."+n, "SHOW CREATE "+kind+" "+q(d)+"."+q(n))
			}
		}
		for _, n := range names(t, db, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?", d) {
			rows("create trigger "+d+"."+n, "SHOW CREATE TRIGGER "+q(d)+"."+q(n))
		}
		for _, n := range names(t, db, "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?", d) {
			rows("create event "+d+"."+n, "SHOW CREATE EVENT "+q(d)+"."+q(n))
		}
	}
	rows("accounts", "SELECT user, host FROM mysql.user ORDER BY 1, 2")
	r, _ = db.Query("SELECT user, host FROM mysql.user")
	var accts [][2]string
	for r.Next() {
		var u, h string
		r.Scan(&u, &h)
		accts = append(accts, [2]string{u, h})
	}
	r.Close()
	for _, a := range accts {
		rows("grants "+a[0]+"@"+a[1], fmt.Sprintf("SHOW GRANTS FOR '%s'@'%s'", a[0], a[1]))
	}
	rows("global variables", "SHOW GLOBAL VARIABLES")
	var kept []string
	for _, line := range strings.Split(out["global variables"], "\n") {
		name, _, _ := strings.Cut(strings.ToLower(line), "\t")
		if strings.HasPrefix(name, "gtid_") || name == "timestamp" { // moved by any transaction, anyone's
			continue
		}
		kept = append(kept, line)
	}
	out["global variables"] = strings.Join(kept, "\n")
	rows("mdl instrument", "SELECT ENABLED, TIMED FROM performance_schema.setup_instruments WHERE NAME = 'wait/lock/metadata/sql/mdl'")
	return out
}

func names(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	r, err := db.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	for r.Next() {
		var s string
		r.Scan(&s)
		out = append(out, s)
	}
	return out
}

// compareSentinel reports every key whose text differs; it returns the
// objects compared and the bytes that were identical.
func compareSentinel(t *testing.T, before, after map[string]string) (objects, bytes int) {
	t.Helper()
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var ks []string
	for k := range keys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		if before[k] != after[k] {
			t.Errorf("the shared server changed: %s\n before: %q\n after:  %q", k, before[k], after[k])
			continue
		}
		objects++
		bytes += len(before[k])
	}
	return objects, bytes
}

// escapes are migrations that try to leave the scratch database: each is
// refused before the server is touched, naming its file and line.
var escapes = map[string]string{
	"other table":      "ALTER TABLE other.t ADD COLUMN c INT;",
	"use":              "USE app;",
	"drop database":    "DROP DATABASE app;",
	"create database":  "CREATE DATABASE evil;",
	"rename out":       "ALTER TABLE accounts RENAME TO other.accounts;",
	"trigger in other": "CREATE TRIGGER other.x BEFORE INSERT ON accounts FOR EACH ROW SET NEW.balance = 0;",
	"trigger body":     "CREATE TRIGGER x AFTER INSERT ON accounts FOR EACH ROW DELETE FROM mysql.user;",
	"view body":        "CREATE VIEW v AS SELECT * FROM mysql.user;",
	"routine body":     "DELIMITER //\nCREATE PROCEDURE p() BEGIN DELETE FROM other.t; END//\nDELIMITER ;\n",
	"function body":    "CREATE FUNCTION f() RETURNS INT READS SQL DATA RETURN (SELECT COUNT(*) FROM other.t);",
	"event body":       "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO DROP TABLE other.t;",
	"grant":            "GRANT ALL ON *.* TO 'evil'@'%';",
	"create user":      "CREATE USER 'evil'@'%' IDENTIFIED BY 'x';",
	"set global":       "SET GLOBAL max_connections = 5;",
	"install plugin":   "INSTALL PLUGIN x SONAME 'x.so';",
	"load data infile": "LOAD DATA INFILE '/etc/passwd' INTO TABLE audit;",
	"into outfile":     "SELECT * FROM accounts INTO OUTFILE '/tmp/rehearse-sentinel';",
	"prepare literal":  "PREPARE s FROM 'DROP DATABASE app';",
	"prepare concat":   "SET @q = CONCAT('DROP ', 'DATABASE app');\nPREPARE s FROM @q;",
	"federated":        "CREATE TABLE f (id INT) ENGINE=FEDERATED CONNECTION='mysql://root@127.0.0.1:1/app/accounts';",
	"kill":             "KILL 1;",
	"unparsable":       "CHANGE MASTER TO MASTER_HOST='127.0.0.1';",
	// MariaDB runs what is in /*M!...*/; the MySQL parser rehearse uses skips it.
	"mariadb comment": "DROP TABLE audit /*M!100000 , other.t */;",
	"mariadb rename":  "ALTER TABLE accounts ADD COLUMN x INT /*M!100000 , RENAME TO other.accounts */;",
	"load_file":       "INSERT INTO audit (note) SELECT LOAD_FILE('/etc/hostname');",
}

// TestSentinel: against a shared server holding database app (the same
// name as the snapshot's), every escape is refused before anything is
// written, and a rehearsal whose migrations and snapshot objects name app.
// explicitly runs entirely in the scratch database: the shared server's
// every database, account, grant and global variable is byte-identical
// afterwards. MariaDB 10.11 and MySQL 9.7.
func TestSentinel(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			prod := testserver.Start(t, target)
			pdb, err := prod.Open("")
			if err != nil {
				t.Fatal(err)
			}
			execScript(t, pdb, sentinelDDL)
			snap, err := snapshot.Capture(ctx, pdb, snapshot.CaptureOptions{Databases: []string{"app"}})
			pdb.Close()
			if err != nil {
				t.Fatal(err)
			}
			snap.Table("app", "accounts").Stats.Rows = 200

			shared := testserver.Start(t, target)
			sdb, err := shared.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer sdb.Close()
			execScript(t, sdb, sentinelDDL+`
CREATE DATABASE other;
CREATE TABLE other.t (id INT PRIMARY KEY, v VARCHAR(10));
INSERT INTO other.t VALUES (1, 'keep'), (2, 'me');
INSERT INTO app.accounts (name, balance) VALUES ('a', 10), ('b', 150.5), ('c', 1000);
UPDATE performance_schema.setup_instruments SET ENABLED = 'NO', TIMED = 'NO' WHERE NAME = 'wait/lock/metadata/sql/mdl';
`)
			before := sentinel(t, sdb)
			dsn := engine.Options{DSN: shared.DSN()}
			dsnEngine, _ := engine.New("dsn", engine.Config{})

			for name, up := range escapes {
				set := writeMigrations(t, map[string]string{"000001_init.up.sql": "SELECT 1;", "000002_escape.up.sql": "SELECT 1;\n" + up, "000002_escape.down.sql": "SELECT 1;"})
				_, err := Run(ctx, Options{Snapshot: snap, Migrations: set, Engine: dsnEngine, EngineOptions: dsn, Scale: 1})
				var v *scope.Violation
				if !errors.As(err, &v) {
					t.Errorf("%s: not refused as a violation: %v", name, err)
					continue
				}
				if v.File != "000002_escape.up.sql" || v.Line < 2 {
					t.Errorf("%s: violation at %s:%d, want 000002_escape.up.sql:2+ (%v)", name, v.File, v.Line, err)
				}
			}
			// A down that escapes is refused too, before anything runs.
			set := writeMigrations(t, map[string]string{"000001_init.up.sql": "SELECT 1;", "000002_x.up.sql": "SELECT 1;", "000002_x.down.sql": "DROP DATABASE app;"})
			if _, err := Run(ctx, Options{Snapshot: snap, Migrations: set, Engine: dsnEngine, EngineOptions: dsn, Scale: 1}); !errors.As(err, new(*scope.Violation)) {
				t.Errorf("escaping down: %v", err)
			}
			// A snapshot whose trigger writes another database is refused
			// before the restore.
			evil := *snap
			evil.Schemas = append([]snapshot.Schema(nil), snap.Schemas...)
			evil.Schemas[0].Triggers = append([]snapshot.Trigger{{Name: "evil", Table: "accounts", Timing: "AFTER", Event: "INSERT",
				CreateSQL: "CREATE TRIGGER evil AFTER INSERT ON accounts FOR EACH ROW DELETE FROM other.t"}}, snap.Schemas[0].Triggers...)
			set = writeMigrations(t, map[string]string{"000001_init.up.sql": "SELECT 1;", "000002_x.up.sql": "SELECT 1;"})
			if _, err := Run(ctx, Options{Snapshot: &evil, Migrations: set, Engine: dsnEngine, EngineOptions: dsn, Scale: 1}); !errors.As(err, new(*scope.Violation)) || !strings.Contains(err.Error(), "trigger app.evil") {
				t.Errorf("escaping snapshot trigger: %v", err)
			}
			if n := names(t, sdb, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'rehearse\_%'`); len(n) > 0 {
				t.Errorf("refused rehearsals touched the server: %v", n)
			}

			// A rehearsal that names app. everywhere runs in the scratch
			// database: restore (view, trigger, routines, event), ups,
			// the probe, the load, the downs.
			set = writeMigrations(t, map[string]string{
				"000001_init.up.sql": "SELECT 1;",
				"000002_tier.up.sql": `ALTER TABLE app.accounts ADD COLUMN tier INT NULL;
CREATE TRIGGER app.accounts_bu BEFORE UPDATE ON app.accounts FOR EACH ROW SET NEW.tier = (SELECT COUNT(*) FROM app.audit);
CREATE VIEW app.tiers AS SELECT tier, COUNT(*) AS n FROM app.accounts GROUP BY tier;
INSERT INTO app.audit (account_id, note) VALUES (1, 'migration');
UPDATE ` + "`app`" + `.accounts SET tier = 1 WHERE app.total() > 0;
`,
				"000002_tier.down.sql": `DROP VIEW app.tiers;
DROP TRIGGER app.accounts_bu;
DELETE FROM app.audit WHERE note = 'migration';
ALTER TABLE app.accounts DROP COLUMN tier;
`,
			})
			rep, err := Run(ctx, Options{Snapshot: snap, Migrations: set, Engine: dsnEngine, EngineOptions: dsn, Scale: 1, Seed: 3,
				LoadRate: 50, Baseline: 500 * time.Millisecond, AppCompatWindow: 500 * time.Millisecond, Log: testLog(t)})
			if err != nil {
				t.Fatalf("the confined rehearsal failed: %v", err)
			}
			for _, m := range rep.Migrations {
				for _, s := range m.Statements {
					if s.Status != "ok" {
						t.Errorf("%s#%d %s: %s %s", m.Version, s.Index, s.SQL, s.Status, s.Error)
					}
				}
			}
			if rep.Rollback == nil || !rep.Rollback.Restores {
				t.Errorf("rollback: %+v", rep.Rollback)
			}
			after := sentinel(t, sdb)
			objects, bytes := compareSentinel(t, before, after)
			t.Logf("sentinel: %d escapes refused; %d objects compared, %d bytes identical", len(escapes)+2, objects, bytes)
		})
	}
}

type tlog struct{ t *testing.T }

func (l tlog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func testLog(t *testing.T) tlog { return tlog{t} }
