package datagen

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/snapshot"
)

func TestCivilRoundTrip(t *testing.T) {
	for _, d := range []int64{daysFromCivil(1000, 1, 1), -1, 0, 59, 60, 11016, daysFromCivil(2038, 1, 19), daysFromCivil(9999, 12, 31)} {
		y, m, dd := civil(d)
		if back := daysFromCivil(y, m, dd); back != d {
			t.Errorf("day %d -> %d-%d-%d -> %d", d, y, m, dd, back)
		}
	}
	if got := string(fmtDatetime(6)(nil, uint64(1_700_000_000_123_456))); got != "2023-11-14 22:13:20.123456" {
		t.Errorf("datetime(6) = %s", got)
	}
	neg := int64(-(838*3600 + 59*60 + 59) * 100)
	if got := string(fmtTime(2)(nil, uint64(neg))); got != "-838:59:59.00" {
		t.Errorf("time(2) = %s", got)
	}
	five := int64(-5)
	if got := string(fmtFixed(2)(nil, uint64(five))); got != "-0.05" {
		t.Errorf("decimal = %s", got)
	}
}

func TestParseMembersAndBounds(t *testing.T) {
	got := parseMembers(`enum('a','it''s','x,y','')`)
	if fmt.Sprint(got) != "[a it's x,y ]" || len(got) != 4 {
		t.Errorf("members = %q", got)
	}
	ct := parseColType(&snapshot.Column{Name: "d", Type: "datetime(3)", DataType: "datetime", DatetimePrecision: ptr(int64(3))}, "")
	v, ok := parseBound(ct, "2020-02-29 12:00:01.5")
	if !ok || string(fmtDatetime(3)(nil, uint64(v))) != "2020-02-29 12:00:01.500" {
		t.Errorf("bound = %d %v", v, ok)
	}
}

func TestDiskFullIsClassified(t *testing.T) {
	for _, e := range []error{&mysql.MySQLError{Number: 1114, Message: "The table 'x' is full"},
		&mysql.MySQLError{Number: 3, Message: "Error writing file '/tmp/x' (Errcode: 28 \"No space left on device\")"}} {
		err := classify(fmt.Errorf("exec: %w", e), "db.t", 100)
		if !errors.Is(err, ErrDiskFull) || rehearse.Hint(err) == "" {
			t.Errorf("%v: not classified as disk full with a hint: %v", e, err)
		}
	}
	if err := classify(&mysql.MySQLError{Number: 1062}, "db.t", 1); errors.Is(err, ErrDiskFull) {
		t.Error("duplicate key classified as disk full")
	}
}

// TestUniqueUnderCollation: values of a unique key differ under a case- and
// accent-insensitive comparison, not only byte-wise.
func TestUniqueUnderCollation(t *testing.T) {
	for _, h := range []*hint{nil, &hints[0]} {
		dom := newStrDomain(strSpec{t: colType{kind: kChar, name: "varchar", length: 40, charset: "utf8mb4"}, h: h, d: 50000,
			unique: true, lengths: lengthDist{q: [5]float64{1, 8, 20, 30, 40}}, maxChars: 40, seed: 1})
		seen := map[string]bool{}
		for k := uint64(0); k < 50000; k++ {
			v := string(dom.value(nil, k))
			key := foldCase(v)
			if seen[key] {
				t.Fatalf("%T: duplicate under case folding at key %d: %q", dom, k, v)
			}
			seen[key] = true
		}
	}
}

func foldCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
