package migrations

import (
	"hash/crc32"
	"strconv"
	"testing"
)

func TestFlyway(t *testing.T) {
	s := mustLoad(t, writeDir(t, map[string]string{
		"sql/V1__init.sql":           "CREATE TABLE t (id int);",
		"sql/V1_1__add_col.sql":      "ALTER TABLE t ADD c int;",
		"sql/V10__later.sql":         "ALTER TABLE t ADD d int;",
		"sql/V2__two.sql":            "ALTER TABLE t ADD e int;",
		"sql/U2__two.sql":            "ALTER TABLE t DROP e;",
		"sql/R__refresh_views.sql":   "CREATE OR REPLACE VIEW v AS SELECT * FROM t;",
		"sql/sub/V1.2__nested_x.sql": "ALTER TABLE t ADD f int;",
	}), "")
	if s.Format != "flyway" || keys(s) != "1 1.1 1.2 2 10 R:refresh views" {
		t.Fatalf("format %s keys %q", s.Format, keys(s))
	}
	two := s.Migrations[3]
	if two.Down == nil || texts(two.Down)[0] != "ALTER TABLE t DROP e" || two.Name != "two" {
		t.Fatalf("undo not paired: %+v", two)
	}
	if r := s.Migrations[5]; !r.Repeatable || r.Name != "refresh views" {
		t.Fatalf("repeatable: %+v", r)
	}
	if s.Migrations[0].Up.Checksum != strconv.Itoa(int(int32(crc32.ChecksumIEEE([]byte("CREATE TABLE t (id int);"))))) {
		t.Fatalf("checksum %s", s.Migrations[0].Up.Checksum)
	}
	if !hasProblem(s.Problems, "no-down", "sql/V1__init.sql", 1) || hasProblem(s.Problems, "no-down", "sql/R__refresh_views.sql", 0) {
		t.Fatalf("problems %v", s.Problems)
	}
}

func TestFlywayChecksumLines(t *testing.T) {
	a := FlywayChecksum([]byte("SELECT 1;\nSELECT 2;\n"))
	for _, v := range []string{"\xef\xbb\xbfSELECT 1;\r\nSELECT 2;\r\n", "SELECT 1;\rSELECT 2;", "SELECT 1;SELECT 2;"} {
		if got := FlywayChecksum([]byte(v)); got != a {
			t.Errorf("%q: %d, want %d (line breaks and BOM do not count)", v, got, a)
		}
	}
	if FlywayChecksum([]byte("SELECT 1;\nSELECT 3;\n")) == a {
		t.Error("an edit did not change the checksum")
	}
}

func TestFlywayBadVersion(t *testing.T) {
	ps := loadErr(t, writeDir(t, map[string]string{"V1__a.sql": "SELECT 1;", "Vx__b.sql": "SELECT 2;", "V01__c.sql": "SELECT 3;"}), "flyway")
	if !hasProblem(ps, "bad-name", "Vx__b.sql", 0) || !(hasProblem(ps, "duplicate-version", "V01__c.sql", 1) || hasProblem(ps, "duplicate-version", "V1__a.sql", 1)) {
		t.Fatalf("problems %v", ps)
	}
}
