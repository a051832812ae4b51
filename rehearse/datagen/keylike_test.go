package datagen

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/snapshot"
)

// A key-like column without a unique index (statistics: as many distinct
// values as non-null rows) keeps its values distinct in rows past the
// generated ones, as a unique key does, so the load's inserts and updates
// do not make duplicates a CREATE UNIQUE INDEX on it would refuse;
// a half-key-like column gains new values at its own rate; a category-like
// one keeps its categories. The column kinds cover each domain a key-like
// column can get: integer, decimal, datetime, a compact code, a realistic
// pool (name), a stem domain (email), a long text.
func TestRowSourceKeyLikeColumns(t *testing.T) {
	const rows, fresh = 5000, 15000
	tbl := snapshot.Table{Name: "accounts", Columns: []snapshot.Column{
		mkCol("id", "int", false), mkCol("ext_ref", "int", false), mkCol("balance", "decimal(12,2)", true),
		mkCol("seen_at", "datetime", false), mkCol("code", "varchar(24)", false), mkCol("full_name", "varchar(80)", false),
		mkCol("email", "varchar(120)", true), mkCol("bio", "varchar(200)", true),
		mkCol("half", "int", false), mkCol("status", "varchar(16)", false),
	}, Indexes: []snapshot.Index{uniqueIndex("PRIMARY", "id")}}
	stats := map[string]colStat{
		"ext_ref":   {0, rows, "100000", "170000", nil},
		"balance":   {0.2, rows * 8 / 10, "-50.00", "9999.99", nil},
		"seen_at":   {0, rows, "2024-01-01 00:00:00", "2024-12-31 23:59:59", nil},
		"code":      {0, rows, "", "", &snapshot.LengthStats{Min: 11, Max: 11, Avg: 11, P50: 11, P90: 11, P99: 11}},
		"full_name": {0, rows, "", "", &snapshot.LengthStats{Min: 8, Max: 30, Avg: 14, P50: 13, P90: 20, P99: 28}},
		"email":     {0.1, rows * 9 / 10, "", "", &snapshot.LengthStats{Min: 12, Max: 40, Avg: 24, P50: 23, P90: 32, P99: 38}},
		"bio":       {0.5, rows / 2, "", "", &snapshot.LengthStats{Min: 20, Max: 180, Avg: 60, P50: 50, P90: 120, P99: 170}},
		"half":      {0, rows * 6 / 10, "1", "1000000", nil},
		"status":    {0, 5, "", "", nil},
	}
	setStats(&tbl, stats, rows)
	tbl.Stats.Rows = rows
	m := newModel(t, oneTable("s", tbl), Options{Seed: 3})
	names := []string{"ext_ref", "balance", "seen_at", "code", "full_name", "email", "bio", "half", "status"}
	src, err := m.RowSource("s", "accounts", names)
	if err != nil {
		t.Fatal(err)
	}
	// Under a case-insensitive collation, as the server compares.
	key := func(v any) string { return strings.ToLower(strings.TrimRight(fmt.Sprint(v), " ")) }
	gen := make([]map[string]bool, len(names))
	for j := range gen {
		gen[j] = map[string]bool{}
	}
	var row []any
	for i := uint64(0); i < src.First(); i++ {
		row = src.Values(i, row[:0])
		for j, v := range row {
			if v == nil {
				continue
			}
			k := key(v)
			if gen[j][k] && names[j] != "half" && names[j] != "status" {
				t.Fatalf("%s: generated row %d repeats %q: a key-like column's generated values are distinct", names[j], i, k)
			}
			gen[j][k] = true
		}
	}
	newVals := make([]map[string]bool, len(names))
	nonNull := make([]int, len(names))
	for j := range newVals {
		newVals[j] = map[string]bool{}
	}
	for i := src.First(); i < src.First()+fresh; i++ {
		row = src.Values(i, row[:0])
		for j, v := range row {
			if v == nil {
				continue
			}
			nonNull[j]++
			k := key(v)
			switch names[j] {
			case "status":
				if !gen[j][k] {
					t.Fatalf("status: new row %d has %q, not one of the %d generated categories", i, k, len(gen[j]))
				}
			case "half":
				if !gen[j][k] {
					newVals[j][k] = true
				}
			default:
				if gen[j][k] || newVals[j][k] {
					t.Fatalf("%s: new row %d repeats %q (a generated value: %v)", names[j], i, k, gen[j][k])
				}
				newVals[j][k] = true
			}
			st := stats[names[j]]
			if st.min != "" && names[j] != "half" && (cmpValue(fmt.Sprint(v), st.min) < 0 || cmpValue(fmt.Sprint(v), st.max) > 0) {
				t.Fatalf("%s: new value %v outside [%s, %s] while the range has room", names[j], v, st.min, st.max)
			}
		}
	}
	// "half" is 60% distinct: new rows add new values at that rate.
	j := 7
	if r := float64(len(newVals[j])) / float64(nonNull[j]); math.Abs(r-0.6) > 0.05 {
		t.Errorf("half: %d new values in %d new rows (%.2f), want the generated ratio 0.60 ± 0.05", len(newVals[j]), nonNull[j], r)
	}
}

// A sample with duplicates decides, whatever the whole-table estimate says:
// snapshot's estimate takes a column whose sample is over 90% distinct as
// unique (9,500 distinct of 10,000 sampled: Distinct = the table's rows),
// but those 500 repeats prove a unique index on it fails in production.
// The generated rows must repeat too; a sample with no repeat stays unique.
func TestKeyLikeSampleWithDuplicates(t *testing.T) {
	const rows = 20000
	tbl := snapshot.Table{Name: "t", Columns: []snapshot.Column{mkCol("id", "int", false), mkCol("dup", "int", false), mkCol("uniq", "int", false)},
		Indexes: []snapshot.Index{uniqueIndex("PRIMARY", "id")}}
	tbl.Stats.Rows = 1_000_000
	tbl.Columns[1].Stats = &snapshot.ColumnStats{SampleRows: 10_000, Distinct: 1_000_000, SampleDistinct: ptr(int64(9_500))}
	tbl.Columns[2].Stats = &snapshot.ColumnStats{SampleRows: 10_000, Distinct: 1_000_000, SampleDistinct: ptr(int64(10_000))}
	m := newModel(t, oneTable("s", tbl), Options{Rows: map[string]int64{"t": rows}, Seed: 2})
	src, err := m.RowSource("s", "t", []string{"dup", "uniq"})
	if err != nil {
		t.Fatal(err)
	}
	dup, uniq := map[string]bool{}, map[string]bool{}
	var row []any
	for i := uint64(0); i < rows; i++ {
		row = src.Values(i, row[:0])
		dup[fmt.Sprint(row[0])], uniq[fmt.Sprint(row[1])] = true, true
	}
	if r := float64(len(dup)) / rows; r > 0.96 || r < 0.94 {
		t.Errorf("dup: %d distinct in %d rows (%.3f), want the sample's 0.95", len(dup), rows, r)
	}
	if len(uniq) != rows {
		t.Errorf("uniq: %d distinct in %d rows, want all distinct", len(uniq), rows)
	}
}
