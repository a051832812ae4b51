package confine_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/confine"
)

const scratch = "rehearse_w1"

// sharedDDL is a shared server: another application's database, and the
// scratch database a rehearsal works in.
const sharedDDL = `CREATE DATABASE other;
CREATE TABLE other.t (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB;
INSERT INTO other.t VALUES (1, 'a'), (2, 'b');
CREATE TABLE other.m (id INT PRIMARY KEY) ENGINE=MyISAM;
CREATE PROCEDURE other.p() SELECT 1;
CREATE DATABASE ` + scratch + `;
CREATE TABLE ` + scratch + `.s (id INT PRIMARY KEY, v INT);`

func exec(t *testing.T, db *sql.DB, script string) {
	t.Helper()
	for _, s := range strings.Split(script, ";\n") {
		if s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";")); s == "" {
			continue
		}
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestWatch (issue 13, item 1): on a real server, work inside the scratch
// database is not a violation (rows, ANALYZE, routines, triggers, events,
// views there), and each kind of write to another database is, found by
// the information_schema fingerprint and, with the binary log on, in the
// binary log. MariaDB 10.11 and MySQL 9.7, binary log on and off.
func TestWatch(t *testing.T) {
	type target struct {
		testserver.Target
		binlog bool
	}
	var targets []target
	for _, tg := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		targets = append(targets, target{tg, false})
		on := tg
		on.Name += "-binlog"
		on.Options.Settings = map[string]string{"log-bin": "binlog", "server-id": "7"}
		targets = append(targets, target{on, true})
	}
	inside := []string{
		"INSERT INTO " + scratch + ".s VALUES (1, 1), (2, 2)",
		"UPDATE " + scratch + ".s SET v = v + 1",
		"ANALYZE TABLE " + scratch + ".s",
		"ALTER TABLE " + scratch + ".s ADD COLUMN w INT",
		"CREATE TABLE " + scratch + ".s2 (id INT PRIMARY KEY)",
		"CREATE PROCEDURE " + scratch + ".p() SELECT 1",
		"CREATE TRIGGER " + scratch + ".tr BEFORE INSERT ON " + scratch + ".s FOR EACH ROW SET NEW.v = 1",
		"CREATE EVENT " + scratch + ".e ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM " + scratch + ".s",
		"CREATE VIEW " + scratch + ".vw AS SELECT id FROM " + scratch + ".s",
		"CREATE DATABASE rehearse_other_rehearsal",
		"DROP DATABASE rehearse_other_rehearsal",
	}
	// In order: each one finds what the ones before left.
	escapes := []struct{ name, script string }{
		{"insert", "INSERT INTO other.t (id, v) VALUES (3, 'c')"},
		{"update", "UPDATE other.t SET v = 'z' WHERE id = 1"},
		{"delete", "DELETE FROM other.t WHERE id = 2"},
		{"insert+delete", "INSERT INTO other.t (id, v) VALUES (9, 'x');\nDELETE FROM other.t WHERE id = 9"},
		{"from the scratch database", "INSERT INTO other.t (id, v) SELECT id + 100, 'x' FROM " + scratch + ".s"},
		{"myisam insert", "INSERT INTO other.m (id) VALUES (5)"},
		{"add column", "ALTER TABLE other.t ADD COLUMN extra INT"},
		{"add index", "ALTER TABLE other.t ADD INDEX iv (v)"},
		{"create table", "CREATE TABLE other.new (id INT)"},
		{"create database", "CREATE DATABASE other2"},
		{"drop procedure", "DROP PROCEDURE other.p"},
		{"create trigger", "CREATE TRIGGER other.tr BEFORE INSERT ON other.t FOR EACH ROW SET NEW.v = 'x'"},
		{"create view", "CREATE VIEW other.vw AS SELECT id FROM other.t"},
		{"create user", "CREATE USER 'intruder'@'%' IDENTIFIED BY 'pw-for-test'"},
		{"set global", "SET GLOBAL max_connections = 321"},
		{"truncate", "TRUNCATE TABLE other.t"},
		{"drop table", "DROP TABLE other.m"},
	}
	for _, tg := range targets {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			srv := testserver.Start(t, tg.Target)
			db, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var logBin string
			db.QueryRow("SELECT @@log_bin").Scan(&logBin)
			if (logBin == "1") != tg.binlog {
				t.Fatalf("@@log_bin = %s, want binary log %v", logBin, tg.binlog)
			}
			exec(t, db, sharedDDL)

			w, err := confine.Start(ctx, db, scratch)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("notes: %v", w.Notes)
			if tg.binlog == (len(w.Notes) > 0 && strings.Contains(strings.Join(w.Notes, " "), "binary log")) {
				t.Errorf("binary log %v, notes %v", tg.binlog, w.Notes)
			}
			for _, s := range inside {
				if _, err := db.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			if err := w.Check(ctx); err != nil {
				t.Errorf("work inside the scratch database reported: %v", err)
			}

			for _, e := range escapes {
				name := e.name
				w, err := confine.Start(ctx, db, scratch)
				if err != nil {
					t.Fatal(err)
				}
				exec(t, db, e.script)
				err = w.Check(ctx)
				var v *confine.Violation
				if !errors.As(err, &v) {
					t.Errorf("%s: not reported (%v)", name, err)
					continue
				}
				t.Logf("%s: %v", name, v)
				if tg.binlog && !strings.HasPrefix(name, "create user") && !strings.HasPrefix(name, "set global") && len(v.Binlog) == 0 {
					t.Errorf("%s: not found in the binary log (%v)", name, v)
				}
				if strings.Contains(v.Error(), "pw-for-test") {
					t.Errorf("%s: the report shows a password", name)
				}
			}
		})
	}
}
