package restore

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot"
)

// FuzzRestoreStatements fuzzes what restore sends to the server for a
// snapshot that passes snapshot.Check: for any create_sql Check accepts as
// table t (or view v, trigger trg, ...) of database app, the statement
// restore builds never panics and creates that same object, in the target
// database for tables and views and unqualified for the others (checked by
// Check again, on the built statement, in the target database). A restore
// against a real server costs tens of milliseconds an execution, too slow
// for a fuzzer; this is the validation it relies on.
func FuzzRestoreStatements(f *testing.F) {
	for _, s := range []string{
		"CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
		"CREATE TABLE t (id int)",
		"create table `t` (`a``b` int) COMMENT='CREATE TABLE `x`'",
		"CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `v` AS select `app`.`t`.`id` AS `id` from `app`.`t`",
		"CREATE DEFINER=`root`@`localhost` TRIGGER trg AFTER INSERT ON t FOR EACH ROW BEGIN SET @x = 1; END",
		"CREATE DEFINER=`a`@`%` PROCEDURE `p`() BEGIN SELECT 1; END",
		"CREATE DEFINER=CURRENT_USER() FUNCTION `f`() RETURNS int RETURN 1",
		"CREATE DEFINER=`root`@`localhost` EVENT `e` ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM t",
		"CREATE x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		const target = "rehearse_x"
		a := &applier{snap: &snapshot.Snapshot{}, opts: Options{Databases: map[string]string{"app": target}}}
		kinds := []struct {
			kind, name, table string
			build             func() (string, error)
			inTarget          bool
		}{
			{"TABLE", "t", "", func() (string, error) { return createTableSQL(target, a.remap(sql)) }, true},
			{"VIEW", "v", "", func() (string, error) { return a.remap(stripDefiner(sql)), nil }, false},
			{"TRIGGER", "trg", "t", func() (string, error) { return stripDefiner(sql), nil }, false},
			{"PROCEDURE", "p", "", func() (string, error) { return stripDefiner(sql), nil }, false},
			{"FUNCTION", "f", "", func() (string, error) { return stripDefiner(sql), nil }, false},
			{"EVENT", "e", "", func() (string, error) { return stripDefiner(sql), nil }, false},
		}
		for _, k := range kinds {
			if len(one("app", k.kind, k.name, k.table, sql).Check()) > 0 {
				continue
			}
			built, err := k.build()
			if err != nil {
				t.Fatalf("%s accepted by Check, refused by restore: %v", k.kind, err)
			}
			db := "app"
			if k.inTarget {
				db = target
			}
			if probs := one(db, k.kind, k.name, k.table, built).Check(); len(probs) > 0 {
				t.Fatalf("%s %q passes Check, but restore sends %q: %v", k.kind, sql, built, probs)
			}
		}
	})
}

// one is a snapshot of database db holding one object of kind.
func one(db, kind, name, table, sql string) *snapshot.Snapshot {
	sc := snapshot.Schema{Name: db}
	switch kind {
	case "TABLE":
		sc.Tables = []snapshot.Table{{Name: name, CreateSQL: sql}}
	case "VIEW":
		sc.Views = []snapshot.View{{Name: name, CreateSQL: sql}}
	case "TRIGGER":
		sc.Triggers = []snapshot.Trigger{{Name: name, Table: table, CreateSQL: sql}}
	case "PROCEDURE", "FUNCTION":
		sc.Routines = []snapshot.Routine{{Name: name, Type: kind, CreateSQL: sql}}
	case "EVENT":
		sc.Events = []snapshot.Event{{Name: name, CreateSQL: sql}}
	}
	return &snapshot.Snapshot{Schemas: []snapshot.Schema{sc}}
}
