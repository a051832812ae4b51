package datagen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// constraintsDDL exercises keys and foreign keys: composite and
// case-insensitive unique keys, a self-reference, a cycle, a one-to-one
// foreign key, a composite foreign key and a key too small for its rows.
const constraintsDDL = `
CREATE TABLE country (
  code CHAR(2) NOT NULL PRIMARY KEY,
  name VARCHAR(60) COLLATE utf8mb4_general_ci NOT NULL,
  UNIQUE KEY u_name (name)
);
CREATE TABLE company (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(80) COLLATE utf8mb4_unicode_ci NOT NULL,
  country CHAR(2) NOT NULL,
  ceo_id INT NULL,
  UNIQUE KEY u_name (name),
  CONSTRAINT fk_company_country FOREIGN KEY (country) REFERENCES country (code)
);
CREATE TABLE person (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(120) COLLATE utf8mb4_general_ci NOT NULL,
  username VARCHAR(12) COLLATE utf8mb4_general_ci NOT NULL,
  company_id INT NOT NULL,
  manager_id INT NULL,
  status VARCHAR(12) NOT NULL,
  UNIQUE KEY u_email (email),
  UNIQUE KEY u_user (username),
  KEY k_company (company_id),
  CONSTRAINT fk_person_company FOREIGN KEY (company_id) REFERENCES company (id),
  CONSTRAINT fk_person_manager FOREIGN KEY (manager_id) REFERENCES person (id)
);
ALTER TABLE company ADD CONSTRAINT fk_company_ceo FOREIGN KEY (ceo_id) REFERENCES person (id);
CREATE TABLE profile (
  person_id INT NOT NULL PRIMARY KEY,
  bio TEXT,
  CONSTRAINT fk_profile_person FOREIGN KEY (person_id) REFERENCES person (id)
);
CREATE TABLE membership (
  person_id INT NOT NULL,
  company_id INT NOT NULL,
  role ENUM('owner','admin','member') NOT NULL,
  since DATE NOT NULL,
  PRIMARY KEY (person_id, company_id),
  UNIQUE KEY u_role (company_id, role, since),
  CONSTRAINT fk_m_person FOREIGN KEY (person_id) REFERENCES person (id),
  CONSTRAINT fk_m_company FOREIGN KEY (company_id) REFERENCES company (id)
);
CREATE TABLE grant_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id INT NOT NULL,
  company_id INT NOT NULL,
  note VARCHAR(30),
  CONSTRAINT fk_g_membership FOREIGN KEY (person_id, company_id) REFERENCES membership (person_id, company_id)
);
CREATE TABLE tiny (
  level ENUM('a','b','c') NOT NULL PRIMARY KEY
);
`

func TestConstraints(t *testing.T) {
	for _, target := range targets() {
		t.Run(target.Name, func(t *testing.T) {
			d := startDB(t, target, "c")
			execIn(t, d, "c", constraintsDDL)
			snap := capture(t, d, false, "c")
			setRows(snap, map[string]int64{"country": 40, "company": 300, "person": 5000, "profile": 6000,
				"membership": 8000, "grant_log": 10000, "tiny": 100})
			res := generate(t, d, snap, Options{Seed: 3})
			noWarnings(t, res)
			// Constraints that cannot all be met are named, and what can be is generated.
			wantNote(t, res, "c.tiny: PRIMARY KEY on level (enum('a','b','c')) holds at most 3 distinct values")
			wantNote(t, res, "c.profile: PRIMARY KEY is also foreign key fk_profile_person: at most 5000 rows")
			want := map[string]int64{"country": 40, "company": 300, "person": 5000, "profile": 5000, "membership": 8000, "grant_log": 10000, "tiny": 3}
			for tbl, n := range want {
				if got := queryInt(t, d.db, "SELECT COUNT(*) FROM c."+tbl); got != n {
					t.Errorf("%s: %d rows, want %d", tbl, got, n)
				}
			}
			assertNoOrphans(t, d, "c")
			assertUnique(t, d, "c")
			// Rows past the generated ones, inserted with every check on:
			// no key collides, every foreign key names a parent. (profile
			// and tiny are full: every person has a profile, every ENUM
			// member is a key.)
			for _, tbl := range []string{"country", "company", "person", "membership", "grant_log"} {
				insertFresh(t, d.db, res.Model, snap, "c", tbl, 100)
			}
			assertNoOrphans(t, d, "c")
			assertUnique(t, d, "c")
			// Nullable foreign keys hold NULLs too (roots of the hierarchy).
			if n := queryInt(t, d.db, "SELECT COUNT(*) FROM c.person WHERE manager_id IS NULL"); n == 0 {
				t.Error("no person without a manager: nullable self-reference never NULL")
			}
		})
	}
}

func wantNote(t *testing.T, res Result, sub string) {
	t.Helper()
	for _, n := range res.Notes {
		if strings.Contains(n, sub) {
			return
		}
	}
	t.Errorf("no note contains %q; notes: %q", sub, res.Notes)
}

// assertNoOrphans checks every foreign key of every table in schema db with
// a join (the server does not re-check rows loaded with checks off).
func assertNoOrphans(t *testing.T, d *testDB, db string) {
	t.Helper()
	rows, err := d.db.Query(`SELECT k.CONSTRAINT_NAME, k.TABLE_NAME, k.REFERENCED_TABLE_NAME,
		GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION), GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION)
		FROM information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
		GROUP BY k.CONSTRAINT_NAME, k.TABLE_NAME, k.REFERENCED_TABLE_NAME`, db)
	if err != nil {
		t.Fatal(err)
	}
	type fk struct{ name, tbl, ref, cols, refCols string }
	var fks []fk
	for rows.Next() {
		var f fk
		if err := rows.Scan(&f.name, &f.tbl, &f.ref, &f.cols, &f.refCols); err != nil {
			t.Fatal(err)
		}
		fks = append(fks, f)
	}
	rows.Close()
	if len(fks) == 0 {
		t.Fatal("no foreign keys found to check")
	}
	for _, f := range fks {
		cols, refCols := strings.Split(f.cols, ","), strings.Split(f.refCols, ",")
		var on, notNull []string
		for i := range cols {
			on = append(on, fmt.Sprintf("p.`%s` = c.`%s`", refCols[i], cols[i]))
			notNull = append(notNull, fmt.Sprintf("c.`%s` IS NOT NULL", cols[i]))
		}
		q := fmt.Sprintf("SELECT COUNT(*) FROM `%s`.`%s` c LEFT JOIN `%s`.`%s` p ON %s WHERE %s AND p.`%s` IS NULL",
			db, f.tbl, db, f.ref, strings.Join(on, " AND "), strings.Join(notNull, " AND "), refCols[0])
		if n := queryInt(t, d.db, q); n != 0 {
			t.Errorf("foreign key %s (%s): %d orphan rows", f.name, f.tbl, n)
		}
	}
}

// assertUnique checks every unique index of schema db for duplicates under
// the column collation (GROUP BY compares as the index does).
func assertUnique(t *testing.T, d *testDB, db string) {
	t.Helper()
	rows, err := d.db.Query(`SELECT TABLE_NAME, INDEX_NAME, GROUP_CONCAT(CONCAT('`+"`"+`', COLUMN_NAME, '`+"`"+`') ORDER BY SEQ_IN_INDEX), MAX(SUB_PART)
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND NON_UNIQUE = 0 GROUP BY TABLE_NAME, INDEX_NAME`, db)
	if err != nil {
		t.Fatal(err)
	}
	type ix struct{ tbl, name, cols string }
	var ixs []ix
	for rows.Next() {
		var i ix
		var sub any
		if err := rows.Scan(&i.tbl, &i.name, &i.cols, &sub); err != nil {
			t.Fatal(err)
		}
		if sub == nil {
			ixs = append(ixs, i)
		}
	}
	rows.Close()
	for _, i := range ixs {
		var nn []string
		for _, c := range strings.Split(i.cols, ",") {
			nn = append(nn, c+" IS NOT NULL")
		}
		q := fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1 FROM `%s`.`%s` WHERE %s GROUP BY %s HAVING COUNT(*) > 1) x", db, i.tbl, strings.Join(nn, " AND "), i.cols)
		if n := queryInt(t, d.db, q); n != 0 {
			t.Errorf("%s.%s: %d duplicated values", i.tbl, i.name, n)
		}
	}
}

const checksDDL = `CREATE TABLE item (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  qty INT NOT NULL CHECK (qty BETWEEN 1 AND 500),
  price DECIMAL(8,2) NOT NULL,
  discount DECIMAL(4,2) NOT NULL DEFAULT 0,
  grade CHAR(1) NOT NULL,
  code VARCHAR(20) NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NOT NULL,
  odd INT,
  CONSTRAINT price_pos CHECK (price > 0 AND price <= 999.99),
  CONSTRAINT disc CHECK (discount >= 0 AND 50 > discount),
  CONSTRAINT grade_in CHECK (grade IN ('A','B','C')),
  CONSTRAINT code_len CHECK (CHAR_LENGTH(code) >= 5),
  CONSTRAINT period CHECK (valid_from < valid_to),
  CONSTRAINT odd_only CHECK (odd % 2 = 1)
)`

// TestChecks: CHECK constraints the generator models hold for every row;
// one it cannot model is named, and the server skips the rows violating it.
func TestChecks(t *testing.T) {
	for _, target := range targets() {
		t.Run(target.Name, func(t *testing.T) {
			d := startDB(t, target, "k")
			execIn(t, d, "k", checksDDL)
			snap := capture(t, d, false, "k")
			setRows(snap, map[string]int64{"item": 2000})
			res := generate(t, d, snap, Options{Seed: 1})
			wantNote(t, res, "odd_only")
			n := queryInt(t, d.db, "SELECT COUNT(*) FROM k.item")
			if n < 1000 || n > 2000 {
				t.Errorf("%d rows kept, want about 1,000-2,000 (odd_only rejects even values)", n)
			}
			bad := queryInt(t, d.db, `SELECT COUNT(*) FROM k.item WHERE NOT (qty BETWEEN 1 AND 500) OR price <= 0 OR price > 999.99
				OR discount < 0 OR discount >= 50 OR grade NOT IN ('A','B','C') OR CHAR_LENGTH(code) < 5 OR valid_from >= valid_to
				OR (odd IS NOT NULL AND odd % 2 <> 1)`)
			if bad != 0 {
				t.Errorf("%d rows violate a CHECK", bad)
			}
		})
	}
}

// A single-column unique key holds one key per row even when the
// snapshot's statistics underestimate its distinct count (production's
// figures are sampled estimates: here half the rows). Every row is
// generated and kept, and the server finds no duplicate. (The mutation
// check's datagen mutation — a unique key drawing from the estimated
// distinct count — survived every other test of this package.)
func TestUniqueKeyIgnoresDistinctEstimate(t *testing.T) {
	d := startDB(t, testserver.LocalMariaDB(), "uq")
	execIn(t, d, "uq", `CREATE TABLE t (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(20) NOT NULL,
  n INT NULL,
  UNIQUE KEY u_code (code),
  UNIQUE KEY u_n (n)
)`)
	const rows = 20000
	snap := capture(t, d, false, "uq")
	setRows(snap, map[string]int64{"t": rows})
	tb := &snap.Schemas[0].Tables[0]
	for i := range tb.Columns {
		switch tb.Columns[i].Name {
		case "code":
			tb.Columns[i].Stats = &snapshot.ColumnStats{SampleRows: 1000, Distinct: rows / 2}
		case "n":
			tb.Columns[i].Stats = &snapshot.ColumnStats{SampleRows: 1000, Distinct: rows / 2, NullFraction: 0.2}
		}
	}
	res := generate(t, d, snap, Options{Scale: 1, Seed: 3})
	noWarnings(t, res)
	if got := queryInt(t, d.db, "SELECT COUNT(*) FROM uq.t"); got != rows {
		t.Errorf("%d rows, want %d", got, rows)
	}
	if got, want := queryInt(t, d.db, "SELECT COUNT(DISTINCT code) FROM uq.t"), queryInt(t, d.db, "SELECT COUNT(*) FROM uq.t"); got != want {
		t.Errorf("code: %d distinct values in %d rows", got, want)
	}
	if got, want := queryInt(t, d.db, "SELECT COUNT(DISTINCT n) FROM uq.t"), queryInt(t, d.db, "SELECT COUNT(n) FROM uq.t"); got != want || want < rows/2 {
		t.Errorf("n: %d distinct values in %d non-null rows (of %d)", got, want, rows)
	}
	assertUnique(t, d, "uq")
}
