package datagen

import (
	"fmt"
	"testing"
)

// TestCompositeKeyDistincts: each column of a composite unique key keeps
// the distinct count its statistics give, and the tuple stays unique. The
// verdict corpus's authelia-consent-subject-null has production's shape
// here: 3,000 identifiers, service 2 distinct, sector_id 3,000, username
// 2,501. The old spread of the tuple index (q = x·P/n) gave username 1
// distinct value, so an empty username matched every row or none.
func TestCompositeKeyDistincts(t *testing.T) {
	const ddl = `CREATE TABLE uoi (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  service VARCHAR(100) NOT NULL, sector_id VARCHAR(255) NOT NULL, username VARCHAR(100) NOT NULL,
  identifier CHAR(36) NOT NULL,
  UNIQUE KEY ux_ident (identifier), UNIQUE KEY ux_lookup (service, sector_id, username));
CREATE TABLE trio (a INT NOT NULL, b INT NOT NULL, c INT NOT NULL, UNIQUE KEY ux (a, b, c))`
	for _, target := range targets() {
		t.Run(target.Name, func(t *testing.T) {
			d := startDB(t, target, "ck")
			execIn(t, d, "ck", ddl)
			snap := capture(t, d, false, "ck")
			setRows(snap, map[string]int64{"uoi": 3000, "trio": 4000})
			setStats(snap.Table("ck", "uoi"), map[string]colStat{
				"service":   {0, 2, "", "", nil},
				"sector_id": {0, 3000, "", "", nil},
				"username":  {0, 2501, "", "", nil},
			}, 3000)
			// No digit alone holds the rows: 10 × 20 × 40 = 8,000 ≥ 4,000.
			setStats(snap.Table("ck", "trio"), map[string]colStat{
				"a": {0, 10, "", "", nil},
				"b": {0, 20, "", "", nil},
				"c": {0, 40, "", "", nil},
			}, 4000)
			res := generate(t, d, snap, Options{Seed: 5})
			noWarnings(t, res)
			for col, want := range map[string]int64{"service": 2, "sector_id": 3000, "username": 2501} {
				if n := queryInt(t, d.db, fmt.Sprintf("SELECT COUNT(DISTINCT %s) FROM ck.uoi", col)); n != want {
					t.Errorf("uoi.%s: %d distinct values, want %d", col, n, want)
				}
			}
			if n := queryInt(t, d.db, "SELECT COUNT(DISTINCT service, sector_id, username) FROM ck.uoi"); n != 3000 {
				t.Errorf("uoi: %d distinct (service, sector_id, username), want 3000", n)
			}
			for col, want := range map[string]int64{"a": 10, "b": 20, "c": 40} {
				if n := queryInt(t, d.db, fmt.Sprintf("SELECT COUNT(DISTINCT %s) FROM ck.trio", col)); n != want {
					t.Errorf("trio.%s: %d distinct values, want %d", col, n, want)
				}
			}
			if n := queryInt(t, d.db, "SELECT COUNT(DISTINCT a, b, c) FROM ck.trio"); n != 4000 {
				t.Errorf("trio: %d distinct (a, b, c), want 4000", n)
			}
		})
	}
}
