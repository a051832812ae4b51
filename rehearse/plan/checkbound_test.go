package plan

import "testing"

// TestCheckBound reads the CHECKs rules can judge from the statement.
func TestCheckBound(t *testing.T) {
	for sql, want := range map[string]string{
		"ALTER TABLE users ADD CONSTRAINT ck CHECK (age < 100)":    "age < 100",
		"ALTER TABLE users ADD CHECK (100 >= age)":                 "age <= 100",
		"ALTER TABLE users ADD CONSTRAINT ck CHECK ((age > -1.5))": "age > -1.5",
		"ALTER TABLE users ADD CHECK (age < other)":                "",
		"ALTER TABLE users ADD CHECK (status IN ('a', 'b'))":       "",
	} {
		ops := classifyOne(t, sql).Ops
		got := ""
		for _, op := range ops {
			if op.Bound != nil {
				got = op.Bound.Column + " " + op.Bound.Op + " " + op.Bound.Value
			}
		}
		if got != want {
			t.Errorf("%s: bound %q, want %q", sql, got, want)
		}
	}
}
