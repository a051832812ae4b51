package datagen

import (
	"fmt"
	"math"
	"testing"

	"github.com/rehearse/rehearse/snapshot"
)

const statsDDL = `CREATE TABLE orders (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  status VARCHAR(16) NOT NULL,
  state VARCHAR(20) NULL,
  email VARCHAR(100) NULL,
  category INT NULL,
  amount DECIMAL(12,2) NULL,
  created_at DATETIME NULL,
  shipped DATE NULL,
  comment VARCHAR(200) NULL,
  region INT NULL,
  KEY k_region (region)
)`

// colStat is what the snapshot says about one column.
type colStat struct {
	nullFrac float64
	distinct int64
	min, max string
	length   *snapshot.LengthStats
}

// setStats gives tbl's columns named in stats those statistics, as a
// --column-stats sample of rows rows would.
func setStats(tbl *snapshot.Table, stats map[string]colStat, rows int64) {
	for i := range tbl.Columns {
		c := &tbl.Columns[i]
		st, ok := stats[c.Name]
		if !ok {
			continue
		}
		c.Stats = &snapshot.ColumnStats{SampleRows: rows, NullFraction: st.nullFrac, Distinct: st.distinct, Length: st.length}
		if st.min != "" {
			c.Stats.Min, c.Stats.Max = ptr(st.min), ptr(st.max)
		}
	}
}

func TestStatisticsFollowed(t *testing.T) {
	const rows = 20000
	stats := map[string]colStat{
		"status":     {0, 12, "", "", nil},
		"state":      {0.25, 7, "", "", nil},
		"email":      {0.1, 17800, "", "", nil}, // near-unique: 0.99 of non-null rows
		"category":   {0.05, 300, "10", "5000", nil},
		"amount":     {0.3, 15000, "-50.00", "9999.99", nil},
		"created_at": {0, 19000, "2019-03-01 00:00:00", "2024-06-30 23:59:59", nil},
		"shipped":    {0.6, 900, "2020-01-01", "2024-12-31", nil},
		"comment":    {0.5, 10000, "", "", &snapshot.LengthStats{Min: 3, Max: 180, Avg: 40, P50: 30, P90: 90, P99: 160}},
	}
	for _, target := range targets() {
		t.Run(target.Name, func(t *testing.T) {
			d := startDB(t, target, "s")
			execIn(t, d, "s", statsDDL)
			snap := capture(t, d, false, "s")
			setRows(snap, map[string]int64{"orders": rows})
			tbl := snap.Table("s", "orders")
			setStats(tbl, stats, rows)
			// No column statistics for region: the index cardinality says 40.
			for i := range tbl.Indexes {
				if tbl.Indexes[i].Name == "k_region" {
					tbl.Indexes[i].Columns[0].Cardinality = 40
				}
			}
			res := generate(t, d, snap, Options{Seed: 11})
			noWarnings(t, res)
			for name, st := range stats {
				nf := queryFloat(t, d.db, fmt.Sprintf("SELECT AVG(%s IS NULL) FROM s.orders", name))
				if math.Abs(nf-st.nullFrac) > 0.02 {
					t.Errorf("%s: null fraction %.3f, want %.3f ± 0.02", name, nf, st.nullFrac)
				}
				dc := queryInt(t, d.db, fmt.Sprintf("SELECT COUNT(DISTINCT %s) FROM s.orders", name))
				if math.Abs(float64(dc)-float64(st.distinct)) > 0.1*float64(st.distinct) {
					t.Errorf("%s: %d distinct values, want %d ± 10%%", name, dc, st.distinct)
				}
				if st.min != "" {
					var lo, hi string
					if err := d.db.QueryRow(fmt.Sprintf("SELECT CAST(MIN(%s) AS CHAR), CAST(MAX(%s) AS CHAR) FROM s.orders", name, name)).Scan(&lo, &hi); err != nil {
						t.Fatal(err)
					}
					inRange := fmt.Sprintf("SELECT COUNT(*) FROM s.orders WHERE %s < '%s' OR %s > '%s'", name, st.min, name, st.max)
					if n := queryInt(t, d.db, inRange); n != 0 {
						t.Errorf("%s: %d values outside [%s, %s] (min %s, max %s)", name, n, st.min, st.max, lo, hi)
					}
				}
				if st.length != nil {
					avg := queryFloat(t, d.db, fmt.Sprintf("SELECT AVG(CHAR_LENGTH(%s)) FROM s.orders", name))
					mx := queryInt(t, d.db, fmt.Sprintf("SELECT MAX(CHAR_LENGTH(%s)) FROM s.orders", name))
					if math.Abs(avg-st.length.Avg) > 0.25*st.length.Avg || mx > st.length.Max {
						t.Errorf("%s: average length %.1f (want %.1f ± 25%%), max %d (want <= %d)", name, avg, st.length.Avg, mx, st.length.Max)
					}
				}
			}
			if dc := queryInt(t, d.db, "SELECT COUNT(DISTINCT region) FROM s.orders"); math.Abs(float64(dc)-40) > 4 {
				t.Errorf("region (index cardinality 40, no column statistics): %d distinct", dc)
			}
		})
	}
}
