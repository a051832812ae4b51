package snapshot_test

import (
	"context"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// TestColumnStatsAllTypes samples a table with a column of every common
// type on every target: no type breaks the sample query, numbers and dates
// get min/max, strings and binaries only lengths, never a value.
func TestColumnStatsAllTypes(t *testing.T) {
	for _, tgt := range testserver.Targets() {
		t.Run(tgt.Name, func(t *testing.T) {
			srv := testserver.Start(t, tgt)
			db, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			testserver.Exec(t, db, "CREATE DATABASE app",
				`CREATE TABLE app.all_types (id int PRIMARY KEY, i bigint unsigned, d decimal(10,2), f double, dt date, ts datetime(3),
				  tm time, y year, c char(3), v varchar(50), tx text, b blob, vb varbinary(16), j json, e enum('a','b'), s set('x','y'),
				  bt bit(4), g geometry NULL)`,
				`INSERT INTO app.all_types VALUES (1, 10, 1.50, 0.5, '2024-01-01', '2024-01-01 10:00:00.123', '01:02:03', 2024, 'abc', 'secret@example.com',
				  'some text', x'0102', x'ff', '{"k": "secret"}', 'a', 'x,y', b'1010', NULL),
				  (2, 20, 2.50, 1.5, '2024-02-01', '2024-02-01 10:00:00', '02:00:00', 2025, 'de', 'other@example.com',
				  'more', NULL, x'aabb', '{"k": 2}', 'b', 'y', b'0001', NULL)`)
			snap, err := snapshot.Capture(context.Background(), db, snapshot.CaptureOptions{Databases: []string{"app"}, ColumnStats: true})
			if err != nil {
				t.Fatal(err)
			}
			tb := snap.Table("app", "all_types")
			for _, c := range tb.Columns {
				st := c.Stats
				if st == nil || st.SampleRows != 2 {
					t.Errorf("%s: stats %+v", c.Name, st)
					continue
				}
				switch c.Name {
				case "i", "d", "dt", "ts", "y":
					if st.Min == nil || st.Max == nil {
						t.Errorf("%s (%s): no min/max", c.Name, c.Type)
					}
				case "c", "v", "tx", "b", "vb", "j", "e", "s":
					if st.Min != nil || st.Max != nil {
						t.Errorf("%s (%s): a value left the server: %v %v", c.Name, c.Type, *st.Min, *st.Max)
					}
					if st.Length == nil && c.Name != "b" {
						t.Errorf("%s (%s): no length distribution", c.Name, c.Type)
					}
				}
			}
			if v := tb.Columns[9].Stats; v.Length == nil || v.Length.Max != int64(len("secret@example.com")) || v.Distinct != 2 {
				t.Errorf("varchar stats %+v", v)
			}
			if v := tb.Columns[9].Stats; v.SampleDistinct == nil || *v.SampleDistinct != 2 {
				t.Errorf("varchar sample_distinct = %v, want 2", v.SampleDistinct)
			}
			if v := tb.Columns[9].Stats; v.NotIn == nil || v.NotIn["ascii"] != 0 || v.NotIn["latin1"] != 0 {
				t.Errorf("varchar not_in = %v, want ascii and latin1 counted, 0 each", v.NotIn)
			}
			if tx := tb.Columns[10].Stats; tx.SampleDistinct != nil {
				t.Errorf("text sample_distinct = %v, want none (not counted)", *tx.SampleDistinct)
			}
			if b := tb.Columns[16].Stats; b.Min == nil || *b.Min != "1" || *b.Max != "10" {
				t.Errorf("bit(4) min/max = %v/%v, want 1/10", b.Min, b.Max)
			}
			if g := tb.Columns[17].Stats; g.NullFraction != 1 {
				t.Errorf("geometry null fraction = %v", g.NullFraction)
			}
		})
	}
}
