package run

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/result"
)

func rollbackOf(t *testing.T, rep *result.Report, version string) result.MigrationRollback {
	t.Helper()
	if rep.Rollback != nil {
		for _, m := range rep.Rollback.Migrations {
			if strings.TrimLeft(m.Version, "0") == strings.TrimLeft(version, "0") {
				return m
			}
		}
	}
	t.Fatalf("no rollback verdict for %s: %+v", version, rep.Rollback)
	return result.MigrationRollback{}
}

func findings(rep *result.Report, code string) []result.Finding {
	var out []result.Finding
	for _, f := range rep.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// Issue 12 item 4 (a) and (b). A down that re-creates what its up dropped
// brings the schema back, not the data: a dropped column's values and a
// dropped table's rows are lost ("data_lost", even though the schema
// returns, here with the column at the end); a rename and its inverse lose
// nothing. Each down is charged only with what it left itself: the column
// order the newest down leaves is not the older downs' difference.
//
// Checked by hand with the mariadb client on plain MariaDB 10.11.19 and
// MySQL 9.7.4: DROP COLUMN note then ADD COLUMN note VARCHAR(64) NULL gives
// NULL in every row; DROP TABLE then CREATE TABLE gives 0 rows; RENAME
// COLUMN c TO c2 and back keeps the values.
func TestRollbackDataLost(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			snap := snapshotOf(t, target, sourceDDL+`;
CREATE TABLE app.audit (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, what VARCHAR(64) NOT NULL) ENGINE=InnoDB`,
				map[string]int64{"investments": 500, "audit": 300})
			files := baseFiles()
			files["000003_index.up.sql"] = "ALTER TABLE investments RENAME COLUMN fund_code TO fund;\n"
			files["000003_index.down.sql"] = "ALTER TABLE investments RENAME COLUMN fund TO fund_code;\n"
			files["000004_audit.up.sql"] = "DROP TABLE audit;\n"
			files["000004_audit.down.sql"] = "CREATE TABLE audit (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, what VARCHAR(64) NOT NULL) ENGINE=InnoDB;\n"
			files["000005_note.up.sql"] = "ALTER TABLE investments DROP COLUMN note;\n"
			files["000005_note.down.sql"] = "ALTER TABLE investments ADD COLUMN note VARCHAR(64) NULL;\n"
			rep := rehearseRun(t, target, snap, writeMigrations(t, files), nil)

			note := rollbackOf(t, rep, "5")
			if note.Verdict != "data_lost" || !strings.Contains(strings.Join(note.Detail, "; "), "column investments.note was dropped by the up") {
				t.Errorf("000005's down re-adds note empty: verdict %q %v, want data_lost naming investments.note", note.Verdict, note.Detail)
			}
			if !strings.Contains(strings.Join(note.Detail, "; "), "column order differs") {
				t.Errorf("000005's detail %v should also say the column came back at the end", note.Detail)
			}
			audit := rollbackOf(t, rep, "4")
			if audit.Verdict != "data_lost" || !strings.Contains(strings.Join(audit.Detail, "; "), "table audit was dropped by the up") {
				t.Errorf("000004's down re-creates audit empty: verdict %q %v, want data_lost naming the table", audit.Verdict, audit.Detail)
			}
			for _, d := range audit.Detail {
				if strings.Contains(d, "column order") {
					t.Errorf("000004 charged with 000005's column order: %v", audit.Detail)
				}
			}
			if rn := rollbackOf(t, rep, "3"); rn.Verdict != "restores" {
				t.Errorf("a rename and its inverse lose nothing: 000003 %q %v, want restores", rn.Verdict, rn.Detail)
			}
			if n := len(findings(rep, "RUN210")); n != 0 {
				t.Errorf("%d RUN210 findings, want none: %+v", n, findings(rep, "RUN210"))
			}
			if n := len(findings(rep, "RUN211")); n != 2 {
				t.Errorf("%d RUN211 findings, want 2 (000004, 000005): %+v", n, findings(rep, "RUN211"))
			}
		})
	}
}

// Issue 12 item 4 (b): three migrations, only the newest down imperfect (it
// forgets the index its up added). Only the newest down leaves a
// difference; the older downs restore what their ups changed (they used to
// get a RUN210 each for the newest down's index).
func TestRollbackChargesTheDown(t *testing.T) {
	target := testserver.LocalMariaDB()
	snap := sourceSnapshot(t, target, 500)
	files := baseFiles()
	files["000004_fund.up.sql"] = "ALTER TABLE investments ADD INDEX idx_fund (fund_code);\n"
	files["000004_fund.down.sql"] = "ALTER TABLE investments DROP INDEX idx_fund;\n"
	files["000005_amount.up.sql"] = "ALTER TABLE investments ADD INDEX idx_amount (amount);\n"
	files["000005_amount.down.sql"] = "SELECT 1;\n"
	rep := rehearseRun(t, target, snap, writeMigrations(t, files), nil)
	if m := rollbackOf(t, rep, "5"); m.Verdict != "differences" || strings.Join(m.Detail, "; ") != "table investments: extra index idx_amount" {
		t.Errorf("000005: %q %v, want differences: the extra index idx_amount", m.Verdict, m.Detail)
	}
	for _, v := range []string{"4", "3"} {
		if m := rollbackOf(t, rep, v); m.Verdict != "restores" {
			t.Errorf("%s: %q %v, want restores (the extra index is 000005's)", v, m.Verdict, m.Detail)
		}
	}
	if f := findings(rep, "RUN210"); len(f) != 1 || strings.TrimLeft(f[0].Migration, "0") != "5" {
		t.Errorf("RUN210 findings %+v, want exactly one, on 000005", f)
	}
	if rep.Rollback.Restores || len(rep.Rollback.Remaining) != 1 {
		t.Errorf("rollback restores=%v remaining %v: the release as a whole leaves the index", rep.Rollback.Restores, rep.Rollback.Remaining)
	}
}

// narrowDDL holds amounts with four decimal places and labels of at most
// 12 characters.
const narrowDDL = `
CREATE DATABASE app;
CREATE TABLE app.ledger (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  amount DECIMAL(14,4) NOT NULL,
  label VARCHAR(64) NOT NULL,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB;
CREATE TABLE app.digits (d INT NOT NULL);
INSERT INTO app.digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);
INSERT INTO app.ledger (amount, label, created_at)
  SELECT 1.2345 + n, CONCAT('L-', n), '2026-01-01 00:00:00' - INTERVAL n MINUTE
  FROM (SELECT a.d + 10*b.d + 100*c.d AS n FROM app.digits a, app.digits b, app.digits c) AS seq;
DROP TABLE app.digits;
CREATE TABLE app.schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty TINYINT(1) NOT NULL);
INSERT INTO app.schema_migrations VALUES (1, 0);
`

// Issue 12 item 4 (a), narrowing: a type narrowed by the up and widened
// back by the down restores the schema; whether the values came back is
// the statistics' call. Amounts with four decimal places (min 1.2345)
// rounded to two are lost; labels of at most 12 characters fit in
// VARCHAR(20), nothing lost.
//
// Checked by hand on plain MariaDB 10.11.19 and MySQL 9.7.4 (strict mode):
// MODIFY d DECIMAL(14,2) on 1.2345 gives Note 1265 and 1.23, and MODIFY
// back to DECIMAL(14,4) gives 1.2300.
func TestRollbackNarrowedType(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			snap := statsSnapshotOf(t, target, narrowDDL)
			files := map[string]string{
				"000001_init.up.sql": "SELECT 1;", "000001_init.down.sql": "SELECT 1;",
				"000002_amount.up.sql":   "ALTER TABLE ledger MODIFY amount DECIMAL(14,2) NOT NULL;\n",
				"000002_amount.down.sql": "ALTER TABLE ledger MODIFY amount DECIMAL(14,4) NOT NULL;\n",
				"000003_label.up.sql":    "ALTER TABLE ledger MODIFY label VARCHAR(20) NOT NULL;\n",
				"000003_label.down.sql":  "ALTER TABLE ledger MODIFY label VARCHAR(64) NOT NULL;\n",
			}
			rep := rehearseRun(t, target, snap, writeMigrations(t, files), nil)
			if m := rollbackOf(t, rep, "2"); m.Verdict != "data_lost" || !strings.Contains(strings.Join(m.Detail, "; "), "decimal places") {
				t.Errorf("000002 (amounts rounded to 2 places): %q %v, want data_lost with the decimal places", m.Verdict, m.Detail)
			}
			if m := rollbackOf(t, rep, "3"); m.Verdict != "restores" || len(m.AtRisk) > 0 {
				t.Errorf("000003 (labels fit): %q %v at risk %v, want restores", m.Verdict, m.Detail, m.AtRisk)
			}
		})
	}
}

// A down that puts a column back with another type does not restore the
// schema: up widens amount DECIMAL(14,2) to DECIMAL(18,4), the down
// narrows it to DECIMAL(16,2). The rollback names the column and both
// types. (The mutation check's rollback mutation — the comparison ignoring
// column types — survived every other test of this package.)
func TestRollbackWrongType(t *testing.T) {
	target := testserver.LocalMariaDB()
	snap := sourceSnapshot(t, target, 500)
	files := baseFiles()
	files["000003_index.up.sql"] = "ALTER TABLE investments MODIFY amount DECIMAL(18,4) NOT NULL;\n"
	files["000003_index.down.sql"] = "ALTER TABLE investments MODIFY amount DECIMAL(16,2) NOT NULL;\n"
	rep := rehearseRun(t, target, snap, writeMigrations(t, files), nil)
	m := rollbackOf(t, rep, "3")
	detail := strings.Join(m.Detail, "; ")
	if m.Verdict == "restores" || !strings.Contains(detail, "column amount changed") ||
		!strings.Contains(detail, "decimal(14,2)") || !strings.Contains(detail, "decimal(16,2)") {
		t.Errorf("000003's down leaves DECIMAL(16,2) where DECIMAL(14,2) was: %q %v, want the column and both types named", m.Verdict, m.Detail)
	}
	if rep.Rollback.Restores {
		t.Errorf("rollback restores=%v remaining %v: amount is not back to DECIMAL(14,2)", rep.Rollback.Restores, rep.Rollback.Remaining)
	}
}

// Code migrations (--migrate-cmd): a command that drops a column and a
// rollback command that re-adds it bring the schema back, not the values.
func TestMigrateCommandDataLost(t *testing.T) {
	client := testserver.Tool(t, "mariadb", "mariadb-client")
	target := testserver.LocalMariaDB()
	snap := sourceSnapshot(t, target, 500)
	sql := func(q string) string {
		return `MYSQL_PWD="$MYSQL_PASSWORD" ` + client + ` --protocol=TCP -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" "$MYSQL_DATABASE" -e "` + q + `"`
	}
	rep := rehearseRun(t, target, snap, nil, func(o *Options) {
		o.MigrateCommand = &migrations.CommandOptions{Command: sql("ALTER TABLE investments DROP COLUMN note")}
		o.RollbackCommand = &migrations.CommandOptions{Command: sql("ALTER TABLE investments ADD COLUMN note VARCHAR(64) NULL AFTER amount")}
	})
	if rb := rep.Rollback; rb == nil || len(rb.Migrations) != 1 || rb.Migrations[0].Verdict != "data_lost" {
		t.Errorf("rollback %+v, want data_lost: the rollback command re-adds note without its values", rep.Rollback)
	}
}
