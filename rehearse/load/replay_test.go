package load_test

import (
	"context"
	"testing"

	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/load/loadtest"
)

// The pre-release workload against a schema where a column was dropped
// and a NOT NULL column without default was added: the shapes naming the
// dropped column fail with 1054, inserts into the other table with 1364,
// the rest still runs, and nothing the check ran stays in the tables.
func TestReplayShapesFindsWhatBreaks(t *testing.T) {
	db, tb := setup(t, 50)
	loadtest.MustExec(t, db, "CREATE TABLE d.u (id INT AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL)", "INSERT INTO d.u (a) VALUES (1),(2)")
	tu := loadtest.TableFromServer(t, db, "d", "u")
	p, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: tb}, {Schema: "d", Table: tu}}, load.Mix{})
	if err != nil {
		t.Fatal(err)
	}
	before, err := load.ReplayShapes(context.Background(), db, p, load.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range before {
		if r.Failed() {
			t.Errorf("on the pre-release schema %s failed: %s %v", r.SQL, r.Error, r.Warnings)
		}
	}
	loadtest.MustExec(t, db, "ALTER TABLE d.t DROP COLUMN note", "ALTER TABLE d.u ADD COLUMN b INT NOT NULL")
	after, err := load.ReplayShapes(context.Background(), db, p, load.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"insert d.t": 1054, "read d.t": 1054, "update d.t": 0, "delete d.t": 0,
		"insert d.u": 1364, "read d.u": 0, "update d.u": 0, "delete d.u": 0}
	for _, r := range after {
		name := r.Kind.String() + " " + r.Schema + "." + r.Table
		if code, ok := want[name]; !ok || code != r.ErrorCode {
			t.Errorf("%s: error %d (%s), want %d", name, r.ErrorCode, r.Error, want[name])
		}
		if r.ErrorCode != 0 && r.Class != load.SchemaMismatch {
			t.Errorf("%s: class %v, want schema_mismatch", name, r.Class)
		}
	}
	var n int
	if err := db.QueryRow("SELECT (SELECT COUNT(*) FROM d.t) + (SELECT COUNT(*) FROM d.u)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 52 {
		t.Errorf("%d rows after the check, want the 52 it started with", n)
	}
}
