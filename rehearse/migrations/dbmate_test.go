package migrations

import "testing"

func TestDbmate(t *testing.T) {
	s := mustLoad(t, writeDir(t, map[string]string{
		"20240201000000_b.sql": "-- migrate:up transaction:false\nCREATE INDEX i ON t (c);\n-- migrate:down\nDROP INDEX i ON t;\n",
		"20240101000000_a.sql": "-- migrate:up\nCREATE TABLE t (id int, c int);\nINSERT INTO t VALUES (1, 2);\n\n-- migrate:down\nDROP TABLE t;\n",
		"20240301000000_c.sql": "-- migrate:up\nALTER TABLE t ADD d int;\n",
	}), "")
	if s.Format != "dbmate" || keys(s) != "20240101000000 20240201000000 20240301000000" {
		t.Fatalf("format %s keys %q", s.Format, keys(s))
	}
	a := s.Migrations[0]
	if got := texts(&a.Up); len(got) != 2 || a.Up.Statements[1].Line != 3 || texts(a.Down)[0] != "DROP TABLE t" || a.Down.Line != 5 {
		t.Fatalf("a: %q %+v", got, a.Down)
	}
	if !s.Migrations[1].NoTransaction || a.NoTransaction {
		t.Fatal("transaction:false not read")
	}
	if !hasProblem(s.Problems, "no-down", "20240301000000_c.sql", 1) {
		t.Fatalf("problems %v", s.Problems)
	}
}
