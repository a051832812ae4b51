package datagen

import (
	"fmt"
	"testing"

	"github.com/rehearse/rehearse/snapshot"
)

// TestRowSourceForeignKeyPairFresh: a composite unique key of two foreign
// keys (a link table) takes, for rows past the generated ones, tuples no
// generated row took (shearDigits' q ≥ rows), and the generated rows' tuples
// are distinct, each parent column keeping its own distinct count. A guard
// of shearDigits' fresh path (gapIndex past rows), not a regression test.
func TestRowSourceForeignKeyPairFresh(t *testing.T) {
	a := snapshot.Table{Name: "a", Columns: []snapshot.Column{mkCol("id", "int", false)}, Indexes: []snapshot.Index{uniqueIndex("PRIMARY", "id")}}
	b := snapshot.Table{Name: "b", Columns: []snapshot.Column{mkCol("id", "int", false)}, Indexes: []snapshot.Index{uniqueIndex("PRIMARY", "id")}}
	l := snapshot.Table{Name: "l", Columns: []snapshot.Column{mkCol("id", "int", false), mkCol("a_id", "int", false), mkCol("b_id", "int", false)},
		Indexes: []snapshot.Index{uniqueIndex("PRIMARY", "id"), uniqueIndex("u_ab", "a_id", "b_id")},
		ForeignKeys: []snapshot.ForeignKey{
			{Name: "fk_a", Columns: []string{"a_id"}, RefSchema: "s", RefTable: "a", RefColumns: []string{"id"}},
			{Name: "fk_b", Columns: []string{"b_id"}, RefSchema: "s", RefTable: "b", RefColumns: []string{"id"}},
		}}
	snap := oneTable("s", a)
	for _, t2 := range []snapshot.Table{b, l} {
		for i := range t2.Columns {
			t2.Columns[i].Position = i + 1
		}
		snap.Schemas[0].Tables = append(snap.Schemas[0].Tables, t2)
	}
	const gen, fresh = 1500, 500
	m := newModel(t, snap, Options{Rows: map[string]int64{"a": 50, "b": 40, "l": gen}, Seed: 9})
	src, err := m.RowSource("s", "l", []string{"a_id", "b_id"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[2]string]uint64{}
	as, bs := map[string]bool{}, map[string]bool{}
	var row []any
	for i := uint64(0); i < gen+fresh; i++ {
		row = src.Values(i, row[:0])
		k := [2]string{fmt.Sprint(row[0]), fmt.Sprint(row[1])}
		if j, dup := seen[k]; dup {
			t.Fatalf("row %d repeats row %d's (a_id, b_id) %v", i, j, k)
		}
		seen[k] = i
		if i < gen {
			as[k[0]], bs[k[1]] = true, true
		}
	}
	if len(as) != 50 || len(bs) != 40 {
		t.Errorf("generated rows refer to %d of 50 a and %d of 40 b, want all", len(as), len(bs))
	}
}
