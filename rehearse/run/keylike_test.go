package run

import (
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/internal/testsnapshot"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// keyLikeDDL is production with a key-like column that has no unique index
// yet (ext_ref, code: every value distinct), a category (status) and a
// duplicate-bearing column (dup_ref: 2,000 values in 10,000 rows).
const keyLikeDDL = `
CREATE DATABASE app;
CREATE TABLE app.accounts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ext_ref INT NOT NULL,
  code VARCHAR(24) NOT NULL,
  status VARCHAR(16) NOT NULL,
  dup_ref INT NOT NULL,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB;
CREATE TABLE app.digits (d INT NOT NULL);
INSERT INTO app.digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);
INSERT INTO app.accounts (ext_ref, code, status, dup_ref, created_at)
  SELECT 100000 + 7*n, CONCAT('AC-', LPAD(n, 8, '0')), ELT(1 + n % 4, 'new', 'active', 'closed', 'frozen'), n % 2000,
         '2026-01-01 00:00:00' - INTERVAL n MINUTE
  FROM (SELECT a.d + 10*b.d + 100*c.d + 1000*e.d AS n FROM app.digits a, app.digits b, app.digits c, app.digits e) AS seq;
DROP TABLE app.digits;
CREATE TABLE app.schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty TINYINT(1) NOT NULL);
INSERT INTO app.schema_migrations VALUES (1, 0);
`

// statsSnapshotOf is production's snapshot with column statistics
// (rehearse snapshot --column-stats), from a real server holding rows.
func statsSnapshotOf(t *testing.T, target testserver.Target, ddl string) *snapshot.Snapshot {
	t.Helper()
	return testsnapshot.Capture(t, target, ddl, snapshot.CaptureOptions{Databases: []string{"app"}, ColumnStats: true})
}

// Issue 12 item 1. A unique index added on a key-like column (statistics:
// distinct = rows) succeeds in production; the rehearsal used to fail it
// with 1062 because the load's inserts and updates repeated generated
// values. The load follows the generator's statistics: key-like columns
// stay distinct. And a true failure stays one: a unique index on a column
// with duplicates fails with 1062.
//
// Checked by hand on a plain MariaDB 10.11.19 holding these rows (mariadb
// client): CREATE UNIQUE INDEX on ext_ref and on code succeed;
// on dup_ref: ERROR 1062 Duplicate entry '0' for key 'uq_dup'.
func TestUniqueIndexOnKeyLikeColumn(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			snap := statsSnapshotOf(t, target, keyLikeDDL)
			if st := snap.Table("app", "accounts").Columns[1].Stats; st == nil || st.Distinct < 9900 {
				t.Fatalf("ext_ref statistics %+v, want about 10000 distinct (key-like)", st)
			}
			base := map[string]string{
				"000001_init.up.sql": "SELECT 1;", "000001_init.down.sql": "SELECT 1;",
				"000002_uq.up.sql":   "CREATE UNIQUE INDEX uq_ext_ref ON accounts (ext_ref);\nCREATE UNIQUE INDEX uq_code ON accounts (code);\n",
				"000002_uq.down.sql": "DROP INDEX uq_code ON accounts;\nDROP INDEX uq_ext_ref ON accounts;\n",
			}
			rep := rehearseRun(t, target, snap, writeMigrations(t, base), func(o *Options) { o.LoadRate = 400 })
			for n := 1; n <= 2; n++ {
				if s := stmt(t, rep, "2", n); s.Status != "ok" {
					t.Errorf("statement 2#%d: %s %s, want it to succeed as in production", n, s.Status, s.Error)
				}
			}
			var writes int64
			for _, op := range rep.Load {
				if op.Kind == "insert" || op.Kind == "update" {
					writes += op.Ops
				}
			}
			if writes < 100 {
				t.Errorf("the load wrote %d rows: too few to have tested the index build", writes)
			}
			if rep.Verdict != result.Pass {
				t.Errorf("verdict %s (%s), want pass", rep.Verdict, rep.Reason)
			}

			base["000003_dup.up.sql"] = "CREATE UNIQUE INDEX uq_dup ON accounts (dup_ref);\n"
			base["000003_dup.down.sql"] = "DROP INDEX uq_dup ON accounts;\n"
			rep = rehearseRun(t, target, snap, writeMigrations(t, base), func(o *Options) { o.LoadRate = 400 })
			if s := stmt(t, rep, "3", 1); s.ErrorCode != 1062 {
				t.Errorf("unique index on a column with duplicates: %s %d %q, want 1062", s.Status, s.ErrorCode, s.Error)
			}
			if rep.Verdict != result.Fail {
				t.Errorf("verdict %s, want fail", rep.Verdict)
			}
		})
	}
}

// sampledDupDDL is a 20,000-row table whose first 1,000 rows hold 500
// repeated references: the --column-stats sample (10,000 rows in slices)
// sees some of them, over 90% distinct, which the snapshot's whole-table
// estimate takes as unique.
const sampledDupDDL = `
CREATE DATABASE app;
CREATE TABLE app.accounts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ext_ref INT NOT NULL,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB;
CREATE TABLE app.digits (d INT NOT NULL);
INSERT INTO app.digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);
INSERT INTO app.accounts (ext_ref, created_at)
  SELECT IF(n < 1000 AND n % 2 = 0, n + 1, n), '2026-01-01 00:00:00' - INTERVAL n MINUTE
  FROM (SELECT a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d AS n FROM app.digits a, app.digits b, app.digits c, app.digits e, app.digits f WHERE f.d < 2) AS seq
  ORDER BY n;
DROP TABLE app.digits;
CREATE TABLE app.schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty TINYINT(1) NOT NULL);
INSERT INTO app.schema_migrations VALUES (1, 0);
`

// A unique index on a column whose sampled rows repeat fails in
// production (1062), however distinct the rest of the table looks; the
// rehearsal generated the column all distinct from the whole-table
// estimate (20,000 distinct) and passed it: a false pass. The generator
// now follows the sample's repeats.
//
// Checked by hand on plain MariaDB 10.11.19 with these rows: CREATE UNIQUE
// INDEX uq_ext_ref ON accounts (ext_ref) fails with ERROR 1062.
func TestUniqueIndexOnSampledDuplicates(t *testing.T) {
	target := testserver.LocalMariaDB()
	snap := statsSnapshotOf(t, target, sampledDupDDL)
	st := snap.Table("app", "accounts").Columns[1].Stats
	// The sample is read in slices along the key (the snapshot's lock
	// budget), so it holds some of the 500 repeats, not all: 9,754 distinct
	// of 10,000 sampled rows on MariaDB 10.11.19.
	if st == nil || st.SampleDistinct == nil || *st.SampleDistinct >= st.SampleRows || *st.SampleDistinct < st.SampleRows*9/10 || st.Distinct < 19000 {
		t.Fatalf("ext_ref statistics %+v (sample distinct %v), want repeats in the sample (over 90%% distinct) and a whole-table estimate near 20000", st, derefInt(st))
	}
	files := map[string]string{
		"000001_init.up.sql": "SELECT 1;", "000001_init.down.sql": "SELECT 1;",
		"000002_uq.up.sql":   "CREATE UNIQUE INDEX uq_ext_ref ON accounts (ext_ref);\n",
		"000002_uq.down.sql": "DROP INDEX uq_ext_ref ON accounts;\n",
	}
	rep := rehearseRun(t, target, snap, writeMigrations(t, files), nil)
	if s := stmt(t, rep, "2", 1); s.ErrorCode != 1062 {
		t.Errorf("unique index on a column whose sample repeats: %s %d %q, want 1062 as in production", s.Status, s.ErrorCode, s.Error)
	}
	if rep.Verdict != result.Fail {
		t.Errorf("verdict %s, want fail", rep.Verdict)
	}
}

func derefInt(st *snapshot.ColumnStats) any {
	if st == nil || st.SampleDistinct == nil {
		return nil
	}
	return *st.SampleDistinct
}
