package datagen

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot"
)

// mkCol is a snapshot column from a COLUMN_TYPE ("varchar(40)", "int unsigned").
func mkCol(name, typ string, nullable bool) snapshot.Column {
	dt := strings.Fields(strings.SplitN(typ, "(", 2)[0])[0]
	return snapshot.Column{Name: name, Type: typ, DataType: dt, Nullable: nullable, Charset: "utf8mb4", Collation: "utf8mb4_general_ci"}
}

func oneTable(schema string, t snapshot.Table) *snapshot.Snapshot {
	for i := range t.Columns {
		t.Columns[i].Position = i + 1
	}
	return &snapshot.Snapshot{Format: snapshot.FormatV1, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Source: snapshot.Source{Flavor: "mariadb", Version: "10.11.19"}, Settings: map[string]string{},
		Schemas: []snapshot.Schema{{Name: schema, Tables: []snapshot.Table{t}}}}
}

func uniqueIndex(name string, cols ...string) snapshot.Index {
	ix := snapshot.Index{Name: name, Unique: true, Primary: name == "PRIMARY", Type: "BTREE"}
	for _, c := range cols {
		ix.Columns = append(ix.Columns, snapshot.IndexColumn{Name: c})
	}
	return ix
}

func newModel(t testing.TB, snap *snapshot.Snapshot, o Options) *Model {
	t.Helper()
	m, err := NewModel(context.Background(), nil, snap, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Every kind of unique column, and a composite key whose digits include an
// ENUM: new rows collide neither with the generated rows nor with each
// other, under a case-insensitive comparison.
func TestRowSourceKeysDoNotCollide(t *testing.T) {
	tbl := acctTable()
	const gen, fresh = 2000, 6000
	m := newModel(t, oneTable("s", tbl), Options{Rows: map[string]int64{"acct": gen}, Seed: 5})
	cols := []string{"id", "email", "handle", "token", "uuid", "code", "tier", "day", "opened", "score"}
	src, err := m.RowSource("s", "acct", cols)
	if err != nil {
		t.Fatal(err)
	}
	if src.First() != gen {
		t.Fatalf("First = %d, want %d", src.First(), gen)
	}
	keys := map[string][]int{"id": {0}, "email": {1}, "handle": {2}, "token": {3}, "uuid": {4}, "code": {5}, "tier,day": {6, 7}, "opened": {8}, "score": {9}}
	seen := map[string]map[string]uint64{}
	for k := range keys {
		seen[k] = map[string]uint64{}
	}
	var row []any
	maxGenID := int64(0)
	for i := uint64(0); i < gen+fresh; i++ {
		row = src.Values(i, row[:0])
		if id := row[0].(int64); i < gen {
			maxGenID = max(maxGenID, id)
		} else if id <= maxGenID {
			t.Fatalf("row %d: id %d not past the generated ids (max %d)", i, id, maxGenID)
		}
		for k, pos := range keys {
			var parts []string
			for _, p := range pos {
				if row[p] == nil {
					parts = nil
					break
				}
				parts = append(parts, strings.ToLower(fmt.Sprint(row[p])))
			}
			if parts == nil {
				continue
			}
			v := strings.Join(parts, "\x00")
			if j, dup := seen[k][v]; dup {
				t.Fatalf("%s: rows %d and %d share %q", k, j, i, v)
			}
			seen[k][v] = i
		}
		if n := len([]rune(row[2].(string))); n > 6 {
			t.Fatalf("row %d: handle %q longer than varchar(6)", i, row[2])
		}
	}
	// The same index gives the same row (determinism), from any goroutine's
	// generators.
	a := fmt.Sprint(src.Values(gen+17, nil))
	src2, _ := m.RowSource("s", "acct", cols)
	src2.Values(gen+3, nil)
	if b := fmt.Sprint(src2.Values(gen+17, nil)); a != b {
		t.Errorf("row %d differs between sources:\n%s\n%s", gen+17, a, b)
	}
}

// acctTable has every kind of unique column: an AUTO_INCREMENT id, a
// realistic email, a short compact string, a hex token, a UUID, a binary
// code, a composite key with an ENUM digit, a datetime and a decimal.
func acctTable() snapshot.Table {
	tbl := snapshot.Table{Name: "acct", Columns: []snapshot.Column{
		mkCol("id", "int", false), mkCol("email", "varchar(80)", false), mkCol("handle", "varchar(6)", false),
		mkCol("token", "char(40)", true), mkCol("uuid", "char(36)", false), mkCol("code", "varbinary(4)", false),
		mkCol("tier", "enum('a','b','c')", false), mkCol("day", "date", false), mkCol("opened", "datetime", true),
		mkCol("score", "decimal(6,2)", false),
	}, Indexes: []snapshot.Index{uniqueIndex("PRIMARY", "id"), uniqueIndex("u_email", "email"), uniqueIndex("u_handle", "handle"),
		uniqueIndex("u_token", "token"), uniqueIndex("u_uuid", "uuid"), uniqueIndex("u_code", "code"),
		uniqueIndex("u_tier_day", "tier", "day"), uniqueIndex("u_opened", "opened"), uniqueIndex("u_score", "score")}}
	tbl.Columns[0].Extra = "auto_increment"
	return tbl
}

// New rows follow the plan's statistics as generated rows do.
func TestRowSourceFollowsStatistics(t *testing.T) {
	const rows = 20000
	tbl := snapshot.Table{Name: "orders", Columns: []snapshot.Column{
		mkCol("id", "int", false), mkCol("status", "varchar(16)", false), mkCol("state", "varchar(20)", true),
		mkCol("category", "int", true), mkCol("amount", "decimal(12,2)", true), mkCol("created_at", "datetime", false),
		mkCol("comment", "varchar(200)", true),
	}, Indexes: []snapshot.Index{uniqueIndex("PRIMARY", "id")}}
	stats := map[string]colStat{
		"status":     {0, 12, "", "", nil},
		"state":      {0.25, 7, "", "", nil},
		"category":   {0.05, 300, "10", "5000", nil},
		"amount":     {0.3, 15000, "-50.00", "9999.99", nil},
		"created_at": {0, 19000, "2019-03-01 00:00:00", "2024-06-30 23:59:59", nil},
		"comment":    {0.5, 10000, "", "", &snapshot.LengthStats{Min: 3, Max: 180, Avg: 40, P50: 30, P90: 90, P99: 160}},
	}
	setStats(&tbl, stats, rows)
	tbl.Stats.Rows = rows
	m := newModel(t, oneTable("s", tbl), Options{Seed: 11})
	names := []string{"status", "state", "category", "amount", "created_at", "comment"}
	src, err := m.RowSource("s", "orders", names)
	if err != nil {
		t.Fatal(err)
	}
	nulls := make([]int, len(names))
	distinct := make([]map[string]bool, len(names))
	for j := range distinct {
		distinct[j] = map[string]bool{}
	}
	var chars, texts int
	var row []any
	for i := src.First(); i < src.First()+rows; i++ {
		row = src.Values(i, row[:0])
		for j, v := range row {
			if v == nil {
				nulls[j]++
				continue
			}
			s := fmt.Sprint(v)
			distinct[j][s] = true
			st := stats[names[j]]
			if st.min != "" && (cmpValue(s, st.min) < 0 || cmpValue(s, st.max) > 0) {
				t.Fatalf("%s: %s outside [%s, %s]", names[j], s, st.min, st.max)
			}
			if names[j] == "comment" {
				chars += len([]rune(s))
				texts++
			}
		}
	}
	for j, name := range names {
		st := stats[name]
		if nf := float64(nulls[j]) / rows; math.Abs(nf-st.nullFrac) > 0.02 {
			t.Errorf("%s: null fraction %.3f, want %.3f ± 0.02", name, nf, st.nullFrac)
		}
		if st.distinct < 1000 && int64(len(distinct[j])) != st.distinct {
			t.Errorf("%s: %d distinct values, want %d", name, len(distinct[j]), st.distinct)
		}
	}
	if avg := float64(chars) / float64(texts); math.Abs(avg-40) > 10 {
		t.Errorf("comment: average length %.1f, want 40 ± 10", avg)
	}
}

// cmpValue compares decimals numerically and everything else as text.
func cmpValue(a, b string) int {
	var x, y float64
	if _, err := fmt.Sscan(a, &x); err == nil && !strings.Contains(a, ":") {
		if _, err := fmt.Sscan(b, &y); err == nil {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	return strings.Compare(a, b)
}

// insertFresh inserts n new rows into db.table through a RowSource over
// every column the server does not compute, with the server's checks on,
// in one transaction, and fails on any error.
func insertFresh(t *testing.T, db *sql.DB, m *Model, snap *snapshot.Snapshot, schema, table string, n uint64) {
	t.Helper()
	tbl := snap.Table(schema, table)
	var cols, ph []string
	for _, c := range tbl.Columns {
		if c.Generated == "" {
			cols = append(cols, c.Name)
		}
	}
	src, err := m.RowSource(schema, table, cols)
	if err != nil {
		t.Fatal(err)
	}
	for j := range cols {
		ph = append(ph, src.Placeholder(j))
	}
	q := fmt.Sprintf("INSERT INTO %s.%s (%s) VALUES (%s)", mysqlkit.Quote(schema), mysqlkit.Quote(table),
		"`"+strings.Join(cols, "`, `")+"`", strings.Join(ph, ", "))
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := tx.Commit(); err != nil {
			t.Error(err)
		}
	}()
	stmt, err := tx.Prepare(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer stmt.Close()
	var row []any
	errs := 0
	for i := src.First(); i < src.First()+n; i++ {
		row = src.Values(i, row[:0])
		if _, err := stmt.Exec(row...); err != nil {
			t.Errorf("%s: new row %d %v: %v", table, i, row, err)
			if errs++; errs > 3 {
				return
			}
		}
	}
}

// BenchmarkRowSource measures the values of one new row of the benchmark's
// 7-column table (CPU only: no server).
func BenchmarkRowSource(b *testing.B) {
	m := newModel(b, investmentsSnapshot(1_000_000), Options{Seed: 1})
	src, err := m.RowSource("bench", "investments", []string{"account_id", "fund_code", "amount", "status", "created_at", "note"})
	if err != nil {
		b.Fatal(err)
	}
	row := make([]any, 0, 8)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		row = src.Values(src.First()+uint64(i), row[:0])
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/row")
}
