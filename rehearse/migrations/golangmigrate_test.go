package migrations

import (
	"strings"
	"testing"
)

func TestGolangMigrate(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"10_ten.up.sql":     "ALTER TABLE t ADD c int;",
		"10_ten.down.sql":   "ALTER TABLE t DROP c;",
		"2_two.up.sql":      "-- a comment\nCREATE TABLE t (id int);\nINSERT INTO t VALUES (1);",
		"2_two.down.sql":    "DROP TABLE t;",
		"0001_one.up.sql":   "CREATE TABLE u (id int);",
		"README.md":         "not a migration",
		"0001_one.down.sql": "-- intentionally blank",
	})
	s := mustLoad(t, dir, "")
	if s.Format != "golang-migrate" || keys(s) != "1 2 10" {
		t.Fatalf("format %s keys %q", s.Format, keys(s))
	}
	two := s.Migrations[1]
	if got := texts(&two.Up); len(got) != 2 || got[1] != "INSERT INTO t VALUES (1)" || two.Up.Statements[0].Line != 2 {
		t.Fatalf("up of 2: %q line %d", got, two.Up.Statements[0].Line)
	}
	if two.Name != "two" || two.Version != "2" || two.Up.File != "2_two.up.sql" || two.Down.File != "2_two.down.sql" {
		t.Fatalf("migration 2: %+v", two)
	}
	if !hasProblem(s.Problems, "empty-down", "0001_one.down.sql", 1) {
		t.Fatalf("empty down not flagged: %v", s.Problems)
	}
}

func TestGolangMigrateBadInput(t *testing.T) {
	ps := loadErr(t, writeDir(t, map[string]string{
		"1_a.up.sql":    "SELECT 1;",
		"001_b.up.sql":  "SELECT 2;",
		"2_c.down.sql":  "SELECT 3;",
		"3_d.up.sql":    "SELECT 'unterminated;\n",
		"notes.sql":     "SELECT 4;",
		"4_e.up.sql":    "SELECT 5;",
		"4_e.down.sql":  "SELECT 6;",
		"04_f.down.sql": "SELECT 7;",
	}), "")
	for _, want := range []struct {
		code, file string
		line       int
	}{
		{"duplicate-version", "1_a.up.sql", 0}, {"down-without-up", "2_c.down.sql", 1},
		{"syntax", "3_d.up.sql", 1}, {"bad-name", "notes.sql", 0}, {"duplicate-version", "4_e.down.sql", 0},
	} {
		if !hasProblem(ps, want.code, want.file, want.line) && !hasProblem(ps, want.code, strings.Replace(want.file, "1_a", "001_b", 1), want.line) &&
			!hasProblem(ps, want.code, strings.Replace(want.file, "4_e", "04_f", 1), want.line) {
			t.Errorf("missing %s at %s:%d in %v", want.code, want.file, want.line, ps)
		}
	}
}

func TestNoDownIsAWarning(t *testing.T) {
	s := mustLoad(t, writeDir(t, map[string]string{"1_a.up.sql": "CREATE TABLE a (id int);"}), "")
	if !hasProblem(s.Problems, "no-down", "1_a.up.sql", 1) || s.Problems[0].Severity != Warning {
		t.Fatalf("problems %v", s.Problems)
	}
}
