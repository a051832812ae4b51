package scope

import (
	"errors"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

var testScope = &Scope{Scratch: "rehearse_s", Databases: []string{"app"}}

// TestRewrite: qualified names of the snapshot's database become the
// scratch database's, byte for byte elsewhere.
func TestRewrite(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ALTER TABLE app.t ADD c int", "ALTER TABLE `rehearse_s`.t ADD c int"},
		{"ALTER TABLE `app`.`t` ADD c int -- app.t\n", "ALTER TABLE `rehearse_s`.`t` ADD c int -- app.t\n"},
		{"ALTER TABLE t ADD c int", "ALTER TABLE t ADD c int"},
		{"UPDATE app.t SET a = 'app.t' WHERE app.t.id = 1", "UPDATE `rehearse_s`.t SET a = 'app.t' WHERE `rehearse_s`.t.id = 1"},
		{"SELECT app.* FROM app", "SELECT app.* FROM app"}, // a table named app
		{"INSERT INTO t SELECT * FROM APP.u", "INSERT INTO t SELECT * FROM `rehearse_s`.u"},
		{"CREATE VIEW v AS SELECT a FROM app.t JOIN information_schema.tables x", "CREATE VIEW v AS SELECT a FROM `rehearse_s`.t JOIN information_schema.tables x"},
		{"CREATE PROCEDURE p() BEGIN UPDATE app.t SET a=1; END", "CREATE PROCEDURE p() BEGIN UPDATE `rehearse_s`.t SET a=1; END"},
		{"CALL app.p(1)", "CALL `rehearse_s`.p(1)"},
		{"SELECT app.f(1)", "SELECT `rehearse_s`.f(1)"},
		{"ALTER DATABASE app CHARACTER SET utf8mb4", "ALTER DATABASE `rehearse_s` CHARACTER SET utf8mb4"},
		{"PREPARE s FROM 'ALTER TABLE app.t ADD c int'", "PREPARE s FROM 'ALTER TABLE `rehearse_s`.t ADD c int'"},
		{"SELECT 1 /*!50001 , app.f() */", "SELECT 1 /*!50001 , `rehearse_s`.f() */"},
		{"CREATE TRIGGER app.tr BEFORE INSERT ON app.t FOR EACH ROW SET NEW.a = (SELECT MAX(b) FROM app.u)",
			"CREATE TRIGGER `rehearse_s`.tr BEFORE INSERT ON `rehearse_s`.t FOR EACH ROW SET NEW.a = (SELECT MAX(b) FROM `rehearse_s`.u)"},
		{"CREATE DEFINER=`root`@`localhost` TRIGGER tr AFTER UPDATE ON t FOR EACH ROW BEGIN\n  IF NEW.a > 0 THEN INSERT INTO app.log VALUES (NEW.id); ELSE DELETE FROM log; END IF;\nEND",
			"CREATE DEFINER=`root`@`localhost` TRIGGER tr AFTER UPDATE ON t FOR EACH ROW BEGIN\n  IF NEW.a > 0 THEN INSERT INTO `rehearse_s`.log VALUES (NEW.id); ELSE DELETE FROM log; END IF;\nEND"},
		{"CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC READS SQL DATA RETURN (SELECT COUNT(*) FROM app.t WHERE id > x)",
			"CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC READS SQL DATA RETURN (SELECT COUNT(*) FROM `rehearse_s`.t WHERE id > x)"},
		{"CREATE FUNCTION f(x INT) RETURNS VARCHAR(10) CHARACTER SET utf8mb4 BEGIN DECLARE y INT DEFAULT 0; SET y = (SELECT a FROM app.t LIMIT 1); IF y IS NULL THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'none'; END IF; RETURN y; END",
			"CREATE FUNCTION f(x INT) RETURNS VARCHAR(10) CHARACTER SET utf8mb4 BEGIN DECLARE y INT DEFAULT 0; SET y = (SELECT a FROM `rehearse_s`.t LIMIT 1); IF y IS NULL THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'none'; END IF; RETURN y; END"},
		{"CREATE EVENT app.e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM app.t WHERE created < NOW() - INTERVAL 1 DAY",
			"CREATE EVENT `rehearse_s`.e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM `rehearse_s`.t WHERE created < NOW() - INTERVAL 1 DAY"},
		{"DROP TRIGGER IF EXISTS app.tr", "DROP TRIGGER IF EXISTS `rehearse_s`.tr"},
		{"CREATE OR REPLACE TABLE t (a int, FOREIGN KEY (a) REFERENCES app.p (id)) PAGE_CHECKSUM=1", "CREATE OR REPLACE TABLE t (a int, FOREIGN KEY (a) REFERENCES `rehearse_s`.p (id)) PAGE_CHECKSUM=1"},
		{"SET SESSION lock_wait_timeout = 5", "SET SESSION lock_wait_timeout = 5"},
		{"ALTER TABLE t ADD c INT /*M!100000 , RENAME TO app.u */", "ALTER TABLE t ADD c INT /*M!100000 , RENAME TO `rehearse_s`.u */"},
		{"SELECT '/*M!100000 , other.t */' FROM t", "SELECT '/*M!100000 , other.t */' FROM t"},
	} {
		got, err := testScope.Check(c.in)
		if err != nil {
			t.Errorf("%s\n  refused: %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s\n  got  %s\n  want %s", c.in, got, c.want)
		}
	}
}

// TestRefuse: every way out of the scratch database is refused, with why.
func TestRefuse(t *testing.T) {
	for _, c := range []struct{ in, why string }{
		{"ALTER TABLE other.t ADD c int", "database `other`"},
		{"USE app", "USE"},
		{"DROP TABLE t /*M!100000 , other.t */", "database `other`"},
		{"DROP TABLE t /*M! , other.t */", "database `other`"},
		{"SELECT 1--/*M!100000 , other.t */", "/*M!"},
		{"SELECT 1 /*M!100000 INTO OUTFILE '/tmp/x' */", "OUTFILE"},
		{"SELECT LOAD_FILE('/etc/passwd')", "LOAD_FILE"},
		{"CREATE TABLE x (a int) ENGINE=S3", "ENGINE=S3"},
		{"DROP DATABASE app", "drops a database"},
		{"CREATE DATABASE x", "creates or drops"},
		{"CREATE SCHEMA IF NOT EXISTS x", "creates or drops"},
		{"GRANT ALL ON *.* TO x", "privileges"},
		{"CREATE USER x IDENTIFIED BY 'y'", "privileges"},
		{"SET GLOBAL event_scheduler = ON", "whole server"},
		{"SET @@global.read_only = 1", "whole server"},
		{"SET PERSIST x = 1", "cannot read"},
		{"INSTALL PLUGIN x SONAME 'y.so'", "cannot read"},
		{"LOAD DATA INFILE '/etc/passwd' INTO TABLE t", "file on the server"},
		{"SELECT * FROM t INTO OUTFILE '/tmp/x'", "writes a file"},
		{"CREATE TABLE t (id int) DATA DIRECTORY='/tmp'", "DIRECTORY"},
		{"CREATE TABLE t (id int) ENGINE=FEDERATED CONNECTION='mysql://u@h/db/t'", "another server"},
		{"CREATE OR REPLACE TABLE t (id int) ENGINE=CONNECT", "another server"},
		{"KILL 5", "whole server"},
		{"FLUSH TABLES WITH READ LOCK", "whole server"},
		{"RENAME TABLE app.t TO other.t", "database `other`"},
		{"CREATE TRIGGER other.tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1", "database `other`"},
		{"CREATE TRIGGER tr BEFORE INSERT ON other.t FOR EACH ROW SET NEW.a = 1", "database `other`"},
		{"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW INSERT INTO other.log VALUES (1)", "database `other`"},
		{"CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO BEGIN DELETE FROM other.t; END", "database `other`"},
		{"CREATE FUNCTION f() RETURNS INT RETURN (SELECT COUNT(*) FROM mysql.user)", "database `mysql`"},
		{"CREATE PROCEDURE p() BEGIN DROP DATABASE app; END", "drops a database"},
		{"PREPARE s FROM 'DROP DATABASE app'", "drops a database"},
		{"PREPARE s FROM @q", "not set from literals"},
		{"CHANGE MASTER TO MASTER_HOST='x'", "cannot read"},
		{"SELECT app.id FROM app.app JOIN app ON 1", ""},
		{"DELETE FROM performance_schema.setup_instruments", "database `performance_schema`"},
	} {
		got, err := testScope.Check(c.in)
		if err == nil {
			if c.why != "" {
				t.Errorf("%s\n  not refused: %s", c.in, got)
			}
			continue
		}
		if c.why == "" {
			t.Errorf("%s\n  refused: %v", c.in, err)
			continue
		}
		if !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s\n  refused for another reason: %v (want %q)", c.in, err, c.why)
		}
	}
}

// TestScriptDynamicSQL: Mattermost's PREPARE of a literal chosen by IF is
// checked (and rewritten); one built by CONCAT is refused.
func TestScriptDynamicSQL(t *testing.T) {
	src := `SET @s = (SELECT IF(EXISTS(SELECT 1 FROM INFORMATION_SCHEMA.STATISTICS WHERE table_schema = DATABASE()), 'ALTER TABLE app.t DROP COLUMN c;', 'SELECT 1;'));
PREPARE st FROM @s;
EXECUTE st;
DEALLOCATE PREPARE st;
`
	stmts, err := sqlsplit.SplitString(src, sqlsplit.Options{File: "1.up.sql"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := testScope.Script(stmts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out[0].Text, "'ALTER TABLE `rehearse_s`.t DROP COLUMN c;'") || out[1].Text != stmts[1].Text {
		t.Errorf("not rewritten: %q", out[0].Text)
	}
	bad := `SET @s = CONCAT('ALTER TABLE ', @t, ' ADD c int');
PREPARE st FROM @s;
`
	stmts, _ = sqlsplit.SplitString(bad, sqlsplit.Options{File: "2.up.sql"})
	_, err = testScope.Script(stmts)
	v, ok := err.(*Violation)
	if !ok || v.File != "2.up.sql" || v.Line != 2 || !strings.Contains(v.Reason, "built at run time") {
		t.Errorf("CONCAT'd dynamic SQL: %v", err)
	}
	evil := `SET @s = IF(1, 'SELECT 1', 'DROP DATABASE app');
PREPARE st FROM @s;
`
	stmts, _ = sqlsplit.SplitString(evil, sqlsplit.Options{File: "3.up.sql"})
	if _, err = testScope.Script(stmts); err == nil || !strings.Contains(err.Error(), "drops a database") {
		t.Errorf("a literal that drops a database: %v", err)
	}
	// MariaDB assigns what a /*M! comment holds too.
	hidden := `SET @s = 'SELECT 1' /*M!100000 , @s = 'DROP DATABASE app' */;
PREPARE st FROM @s;
`
	stmts, _ = sqlsplit.SplitString(hidden, sqlsplit.Options{File: "4.up.sql"})
	if _, err = testScope.Script(stmts); err == nil || !strings.Contains(err.Error(), "drops a database") {
		t.Errorf("a literal assigned in a /*M! comment: %v", err)
	}
}

func TestDatabases(t *testing.T) {
	for text, want := range map[string]string{
		"INSERT INTO app.t VALUES (1)":                               "app",
		"ALTER TABLE `App`.t ADD c INT":                              "app",
		"UPDATE t SET a = 1":                                         "",
		"CREATE TABLE rehearse_x.t (id INT) SELECT * FROM other.src": "other,rehearse_x",
		"DROP DATABASE app":                                          "app",
		"CREATE DATABASE IF NOT EXISTS other":                        "other",
		"USE app":                                                    "app",
		"SELECT app.f(), x.col FROM t AS x":                          "app",
		"DELETE FROM mysql.user WHERE user = ''":                     "mysql",
	} {
		got, ok := Databases(text)
		if !ok {
			t.Errorf("%s: not read", text)
			continue
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s: databases %v, want %s", text, got, want)
		}
	}
	if _, ok := Databases("CREATE TABLE t (a INT) WITH SYSTEM VERSIONING garbage ("); ok {
		t.Errorf("an unreadable statement was read")
	}
}

// A refusal because of another database names it (rehearse/confine reads
// the binary log's statements the parser cannot read this way).
func TestViolationNamesTheDatabase(t *testing.T) {
	for text, want := range map[string]string{
		"CREATE TRIGGER other.tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 1": "other",
		"INSERT INTO other.t VALUES (1)":                                        "other",
		"DROP DATABASE rehearse_s":                                              "",
	} {
		_, err := (&Scope{Scratch: "rehearse_s"}).Check(text)
		var v *Violation
		if !errors.As(err, &v) || v.Database != want {
			t.Errorf("%s: %v (database %q), want a violation naming %q", text, err, func() string {
				if v != nil {
					return v.Database
				}
				return ""
			}(), want)
		}
	}
}
