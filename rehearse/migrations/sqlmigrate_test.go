package migrations

import "testing"

func TestSQLMigrate(t *testing.T) {
	s := mustLoad(t, writeDir(t, map[string]string{
		"10_c.sql":     "-- +migrate Up\nALTER TABLE t ADD c int;\n-- +migrate Down\nALTER TABLE t DROP c;\n",
		"9_b.sql":      "-- +migrate Up notransaction\nCREATE INDEX i ON t (id);\n-- +migrate Down\nDROP INDEX i ON t;\n",
		"1_a.sql":      "-- +migrate Up\n-- +migrate StatementBegin\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.id = 1; END;\n-- +migrate StatementEnd\n-- +migrate Down\nDROP TRIGGER tr;\n",
		"init_zzz.sql": "-- +migrate Up\nSELECT 1;\n-- +migrate Down\nSELECT 2;\n",
	}), "")
	if s.Format != "sql-migrate" || keys(s) != "1_a.sql 9_b.sql 10_c.sql init_zzz.sql" {
		t.Fatalf("format %s keys %q", s.Format, keys(s))
	}
	if got := texts(&s.Migrations[0].Up); len(got) != 1 || got[0] != "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.id = 1; END" {
		t.Fatalf("block: %q", got)
	}
	if !s.Migrations[1].NoTransaction {
		t.Fatal("notransaction not read")
	}
}
