package snapshot_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/snapshot"
)

// checkBase is a snapshot with one of every object kind, as SHOW CREATE
// prints them.
func checkBase() *snapshot.Snapshot {
	return &snapshot.Snapshot{Format: snapshot.FormatV1,
		Source:   snapshot.Source{Flavor: "mariadb", Version: "10.11.6", ServerUUID: "x"},
		Settings: map[string]string{"sql_mode": "STRICT_TRANS_TABLES"},
		Schemas: []snapshot.Schema{{Name: "app", Charset: "utf8mb4", Collation: "utf8mb4_general_ci",
			Tables: []snapshot.Table{
				{Name: "t", CreateSQL: "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `c` varchar(5) COMMENT 'DATA DIRECTORY; DROP',\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci",
					Columns: []snapshot.Column{{Name: "id", Position: 1, Type: "int(11)", DataType: "int"}}},
				{Name: "schema_migrations", CreateSQL: "CREATE TABLE `schema_migrations` (`version` bigint NOT NULL, `dirty` tinyint(1) NOT NULL, PRIMARY KEY (`version`))"},
			},
			Views: []snapshot.View{{Name: "v", CreateSQL: "CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `v` AS select `t`.`id` AS `id` from `t`"}},
			Triggers: []snapshot.Trigger{{Name: "trg", Table: "t", Timing: "AFTER", Event: "INSERT",
				CreateSQL: "CREATE DEFINER=`root`@`localhost` TRIGGER trg AFTER INSERT ON t FOR EACH ROW BEGIN\n  IF NEW.id < 0 THEN SET @x = 1; END IF;\nEND"}},
			Routines: []snapshot.Routine{
				{Name: "p", Type: "PROCEDURE", CreateSQL: "CREATE DEFINER=`root`@`%` PROCEDURE `p`(IN x int)\nBEGIN\n  SELECT x; SELECT 1;\nEND"},
				{Name: "f", Type: "FUNCTION", CreateSQL: "CREATE DEFINER=CURRENT_USER() FUNCTION `f`(x int) RETURNS int(11)\n    DETERMINISTIC\nRETURN x + 1"},
			},
			Events: []snapshot.Event{{Name: "e", CreateSQL: "CREATE DEFINER=`root`@`localhost` EVENT `e` ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' ON COMPLETION NOT PRESERVE DISABLE DO DELETE FROM t WHERE id < 0"}},
		}},
		History: []snapshot.History{{Runner: "golang-migrate", Schema: "app", Table: "schema_migrations",
			CreateSQL: "CREATE TABLE `schema_migrations` (`version` bigint NOT NULL)"}},
	}
}

func TestCheckAcceptsShowCreate(t *testing.T) {
	if probs := checkBase().Check(); len(probs) > 0 {
		t.Fatalf("problems in a valid snapshot: %v", probs)
	}
}

// TestCheckRefuses: each crafted or damaged object is refused with the
// JSON path of the value and what is wrong with it.
func TestCheckRefuses(t *testing.T) {
	cases := []struct {
		name   string
		change func(s *snapshot.Snapshot)
		path   string
		says   string
	}{
		{"table is DROP DATABASE", func(s *snapshot.Snapshot) { s.Schemas[0].Tables[0].CreateSQL = "DROP DATABASE prod" },
			"/schemas/0/tables/0/create_sql", "does not start with CREATE"},
		{"table creates another table", func(s *snapshot.Snapshot) {
			s.Schemas[0].Tables[0].CreateSQL = "CREATE TABLE `other` (`id` int)"
		}, "/schemas/0/tables/0/create_sql", "creates table other, not app.t"},
		{"table in another database", func(s *snapshot.Snapshot) {
			s.Schemas[0].Tables[0].CreateSQL = "CREATE TABLE `prod`.`t` (`id` int)"
		}, "/schemas/0/tables/0/create_sql", "creates table prod.t"},
		{"table is a database", func(s *snapshot.Snapshot) { s.Schemas[0].Tables[0].CreateSQL = "CREATE DATABASE t" },
			"/schemas/0/tables/0/create_sql", "creates a database"},
		{"CREATE x", func(s *snapshot.Snapshot) { s.Schemas[0].Tables[0].CreateSQL = "CREATE x" },
			"/schemas/0/tables/0/create_sql", "no name"},
		{"CREATE alone", func(s *snapshot.Snapshot) { s.Schemas[0].Tables[0].CreateSQL = "CREATE" },
			"/schemas/0/tables/0/create_sql", "no object kind"},
		{"two statements", func(s *snapshot.Snapshot) {
			s.Schemas[0].Tables[0].CreateSQL = "CREATE TABLE `t` (`id` int); DROP DATABASE prod"
		}, "/schemas/0/tables/0/create_sql", "holds 2 statements"},
		{"executable comment", func(s *snapshot.Snapshot) {
			s.Schemas[0].Tables[0].CreateSQL = "CREATE /*!50100 DATABASE prod */ TABLE `t` (`id` int)"
		}, "/schemas/0/tables/0/create_sql", "creates a database"},
		{"data directory", func(s *snapshot.Snapshot) {
			s.Schemas[0].Tables[0].CreateSQL = "CREATE TABLE `t` (`id` int) ENGINE=InnoDB DATA DIRECTORY='/root/.ssh'"
		}, "/schemas/0/tables/0/create_sql", "DATA DIRECTORY"},
		{"federated", func(s *snapshot.Snapshot) {
			s.Schemas[0].Tables[0].CreateSQL = "CREATE TABLE `t` (`id` int) ENGINE=FEDERATED CONNECTION='mysql://u:p@prod:3306/app/t'"
		}, "/schemas/0/tables/0/create_sql", "ENGINE=FEDERATED"},
		{"connection", func(s *snapshot.Snapshot) {
			s.Schemas[0].Tables[0].CreateSQL = "CREATE TABLE `t` (`id` int) CONNECTION='mysql://u:p@prod:3306/app/t'"
		}, "/schemas/0/tables/0/create_sql", "CONNECTION"},
		{"connect engine", func(s *snapshot.Snapshot) {
			s.Schemas[0].Tables[0].CreateSQL = "CREATE TABLE `t` (`id` int) ENGINE=CONNECT TABLE_TYPE=CSV FILE_NAME='/etc/passwd'"
		}, "/schemas/0/tables/0/create_sql", "ENGINE=CONNECT"},
		{"create select", func(s *snapshot.Snapshot) {
			s.Schemas[0].Tables[0].CreateSQL = "CREATE TABLE `t` SELECT * FROM mysql.user"
		}, "/schemas/0/tables/0/create_sql", "not a table definition"},
		{"temporary", func(s *snapshot.Snapshot) {
			s.Schemas[0].Tables[0].CreateSQL = "CREATE TEMPORARY TABLE `t` (`id` int)"
		}, "/schemas/0/tables/0/create_sql", "creates a temporary"},
		{"unterminated", func(s *snapshot.Snapshot) { s.Schemas[0].Tables[0].CreateSQL = "CREATE TABLE `t (`id` int)" },
			"/schemas/0/tables/0/create_sql", "cannot be read"},
		{"duplicate table", func(s *snapshot.Snapshot) { s.Schemas[0].Tables[1] = s.Schemas[0].Tables[0] },
			"/schemas/0/tables/1/name", "also declared at /schemas/0/tables/0/name"},
		{"view creates a table", func(s *snapshot.Snapshot) {
			s.Schemas[0].Views[0].CreateSQL = "CREATE TABLE `v` (`id` int)"
		}, "/schemas/0/views/0/create_sql", "creates a table, not the view v"},
		{"view in another database", func(s *snapshot.Snapshot) {
			s.Schemas[0].Views[0].CreateSQL = "CREATE OR REPLACE VIEW `mysql`.`v` AS SELECT 1"
		}, "/schemas/0/views/0/create_sql", "creates view mysql.v"},
		{"trigger on another database's table", func(s *snapshot.Snapshot) {
			s.Schemas[0].Triggers[0].CreateSQL = "CREATE TRIGGER trg AFTER INSERT ON prod.t FOR EACH ROW SET @x = 1"
		}, "/schemas/0/triggers/0/create_sql", "trigger on prod.t"},
		{"trigger on another table", func(s *snapshot.Snapshot) {
			s.Schemas[0].Triggers[0].CreateSQL = "CREATE TRIGGER trg AFTER INSERT ON u FOR EACH ROW SET @x = 1"
		}, "/schemas/0/triggers/0/create_sql", "trigger on u"},
		{"procedure declared as function", func(s *snapshot.Snapshot) { s.Schemas[0].Routines[1].Type = "PROCEDURE" },
			"/schemas/0/routines/1/create_sql", "creates a function, not the procedure f"},
		{"routine type", func(s *snapshot.Snapshot) { s.Schemas[0].Routines[1].Type = "PACKAGE" },
			"/schemas/0/routines/1/type", "want PROCEDURE or FUNCTION"},
		{"routine then a statement", func(s *snapshot.Snapshot) {
			s.Schemas[0].Routines[0].CreateSQL = "CREATE PROCEDURE `p`() BEGIN SELECT 1; END; DROP DATABASE prod"
		}, "/schemas/0/routines/0/create_sql", "holds 2 statements"},
		{"event named otherwise", func(s *snapshot.Snapshot) {
			s.Schemas[0].Events[0].CreateSQL = "CREATE EVENT prod.e ON SCHEDULE EVERY 1 DAY DO DELETE FROM prod.t"
		}, "/schemas/0/events/0/create_sql", "creates event prod.e"},
		{"history elsewhere", func(s *snapshot.Snapshot) { s.History[0].Schema = "mysql" },
			"/history/0/schema", "not in a database of the snapshot"},
		{"history create other", func(s *snapshot.Snapshot) { s.History[0].CreateSQL = "CREATE TABLE `mysql`.`user` (`x` int)" },
			"/history/0/create_sql", "creates table mysql.user"},
		{"history no table", func(s *snapshot.Snapshot) { s.History[0].Table = "" },
			"/history/0/table", "without a name"},
		{"charset injection", func(s *snapshot.Snapshot) { s.Schemas[0].Charset = "utf8mb4 COLLATE x; DROP" },
			"/schemas/0/charset", "not a character set"},
		{"collation injection", func(s *snapshot.Snapshot) { s.Schemas[0].Tables[0].Columns[0].Collation = "x'" },
			"/schemas/0/tables/0/columns/0/collation", "not a character set or collation"},
		{"duplicate database", func(s *snapshot.Snapshot) { s.Schemas = append(s.Schemas, s.Schemas[0]) },
			"/schemas/1/name", "appears twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := checkBase()
			c.change(s)
			probs := s.Check()
			for _, p := range probs {
				if p.Path == c.path && strings.Contains(p.Message, c.says) {
					return
				}
			}
			t.Errorf("want %s: ...%s...; got %v", c.path, c.says, probs)
		})
	}
}

// Load refuses a crafted create_sql with ErrInvalid, the file, the path and
// a hint.
func TestLoadRefusesCraftedCreate(t *testing.T) {
	good := string(minimal(t))
	doc := strings.Replace(good, "CREATE TABLE `t` (`a` int)", "DROP DATABASE prod", 1)
	_, err := snapshot.Load(strings.NewReader(doc), "prod.json")
	if err == nil || !errors.Is(err, snapshot.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, want := range []string{"prod.json", "/schemas/0/tables/0/create_sql"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if rehearse.Hint(err) == "" {
		t.Errorf("no hint")
	}
}

// Every snapshot of the incident library (captured on MariaDB and MySQL)
// passes the check.
func TestCheckLibrarySnapshots(t *testing.T) {
	files, _ := filepath.Glob("../scenarios/library/*/*.json")
	if len(files) == 0 {
		t.Fatal("no library snapshots found")
	}
	for _, f := range files {
		s, err := snapshot.LoadFile(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var buf bytes.Buffer
		_ = snapshot.Write(&buf, s)
	}
}
