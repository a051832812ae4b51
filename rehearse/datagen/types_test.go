package datagen

import (
	"fmt"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
)

// wideDDL has a column of every type family, with keys on the awkward ones.
const wideDDL = `CREATE TABLE wide (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ti TINYINT NOT NULL, tiu TINYINT UNSIGNED, flag TINYINT(1) NOT NULL, si SMALLINT, mi MEDIUMINT UNSIGNED, i INT, bi BIGINT,
  dec1 DECIMAL(14,2) NOT NULL, dec2 DECIMAL(30,10) UNSIGNED, dec0 DECIMAL(5,0),
  f FLOAT, d DOUBLE NOT NULL,
  dt DATE, dtm DATETIME(6) NOT NULL, ts TIMESTAMP(3) NULL, tm TIME(2), yr YEAR,
  c2 CHAR(2) NOT NULL, vc VARCHAR(40) COLLATE utf8mb4_general_ci NOT NULL, vlat VARCHAR(30) CHARACTER SET latin1,
  vmb3 VARCHAR(20) CHARACTER SET utf8mb3, tt TINYTEXT, tx TEXT, mt MEDIUMTEXT,
  bn BINARY(16) NOT NULL, vb VARBINARY(64), bl BLOB, tb TINYBLOB,
  en ENUM('small','medium','large','x''y') NOT NULL, st SET('a','b','c','d'),
  b1 BIT(1) NOT NULL, b9 BIT(9),
  j JSON,
  g GEOMETRY, pt POINT NOT NULL, ls LINESTRING, pg POLYGON, mp MULTIPOINT, mls MULTILINESTRING, mpg MULTIPOLYGON, gc GEOMETRYCOLLECTION,
  gen_v INT AS (i + 1) VIRTUAL, gen_s VARCHAR(50) AS (CONCAT(vc, '-', ti)) STORED,
  email VARCHAR(100) NOT NULL, uuid CHAR(36) NOT NULL, ulid BINARY(16),
  UNIQUE KEY u_vc (vc), UNIQUE KEY u_email (email), UNIQUE KEY u_uuid (uuid), UNIQUE KEY u_bn (bn),
  UNIQUE KEY u_prefix (tx(8)), UNIQUE KEY u_combo (c2, en, dt),
  KEY k_dtm (dtm), KEY k_i (i, si), SPATIAL KEY sp (pt), FULLTEXT KEY ft (tx, mt)
) ENGINE=InnoDB`

func TestEveryType(t *testing.T) {
	for _, target := range targets() {
		t.Run(target.Name, func(t *testing.T) {
			d := startDB(t, target, "w")
			execIn(t, d, "w", wideDDL)
			snap := capture(t, d, false, "w")
			setRows(snap, map[string]int64{"wide": 3000})
			res := generate(t, d, snap, Options{Seed: 7})
			noWarnings(t, res)
			if n := queryInt(t, d.db, "SELECT COUNT(*) FROM w.wide"); n != 3000 {
				t.Fatalf("rows = %d, want 3000", n)
			}
			// Values the server would refuse in strict mode never get in,
			// but check the ones a lax path could have bent.
			checks := map[string]string{
				"invalid json":           "SELECT COUNT(*) FROM w.wide WHERE j IS NOT NULL AND NOT JSON_VALID(j)",
				"invalid geometry":       "SELECT COUNT(*) FROM w.wide WHERE pt IS NULL OR ST_X(pt) IS NULL",
				"c2 not 2 chars":         "SELECT COUNT(*) FROM w.wide WHERE CHAR_LENGTH(c2) <> 2",
				"vc too long":            "SELECT COUNT(*) FROM w.wide WHERE CHAR_LENGTH(vc) > 40",
				"no multibyte in vc":     "SELECT 1 - LEAST(1, COUNT(*)) FROM w.wide WHERE LENGTH(tx) > CHAR_LENGTH(tx)",
				"ts out of range":        "SELECT COUNT(*) FROM w.wide WHERE ts IS NOT NULL AND (ts < '1970-01-02' OR ts > '2038-01-18')",
				"dup vc under collation": "SELECT COUNT(*) - COUNT(DISTINCT vc) FROM w.wide",
				"dup prefix":             "SELECT COUNT(*) - COUNT(DISTINCT LEFT(tx, 8)) FROM w.wide WHERE tx IS NOT NULL",
				"dup combo":              "SELECT COUNT(*) - COUNT(DISTINCT c2, en, dt) FROM w.wide WHERE dt IS NOT NULL",
				"generated wrong":        "SELECT COUNT(*) FROM w.wide WHERE gen_s <> CONCAT(vc, '-', ti)",
				"flag not boolean":       "SELECT COUNT(*) FROM w.wide WHERE flag NOT IN (0, 1)",
			}
			for what, q := range checks {
				if n := queryInt(t, d.db, q); n != 0 {
					t.Errorf("%s: %d", what, n)
				}
			}
			// AUTO_INCREMENT continues after the generated ids.
			testserver.Exec(t, d.db, "INSERT INTO w.wide (ti, flag, dec1, d, dtm, c2, vc, bn, en, b1, pt, email, uuid) "+
				"VALUES (1, 1, 1, 1, NOW(), 'zz', 'brand new', 'x', 'small', 1, POINT(1,1), 'new@example.com', 'u')")
			if id := queryInt(t, d.db, "SELECT MAX(id) FROM w.wide"); id != 3001 {
				t.Errorf("next AUTO_INCREMENT id = %d, want 3001", id)
			}
			// Rows past the generated ones (a load's inserts), every
			// column bound through a prepared statement, are valid too.
			testserver.Exec(t, d.db, "DELETE FROM w.wide WHERE id = 3001")
			insertFresh(t, d.db, res.Model, snap, "w", "wide", 100)
			for what, q := range checks {
				if n := queryInt(t, d.db, q); n != 0 {
					t.Errorf("after new rows: %s: %d", what, n)
				}
			}
			// Every column holds something (NULL-only columns would hide bugs).
			for _, c := range []string{"tiu", "dec2", "f", "ts", "tm", "yr", "vlat", "vmb3", "mt", "vb", "bl", "tb", "st", "b9", "j", "g", "ls", "pg", "mp", "mls", "mpg", "gc", "ulid"} {
				if n := queryInt(t, d.db, fmt.Sprintf("SELECT COUNT(%s) FROM w.wide", c)); n == 0 {
					t.Errorf("column %s is NULL everywhere", c)
				}
			}
		})
	}
}
