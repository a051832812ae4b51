package run

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/result"
)

func gateResults(rep *result.Report, name string) []result.Gate {
	var out []result.Gate
	for _, g := range rep.Gates {
		if g.Name == name {
			out = append(out, g)
		}
	}
	return out
}

// Issue 12 item 5. With no --gate at all, a release whose previous app
// version fails on the new schema (the old app still inserts into the
// dropped column note: Unknown column 'note', 1054) and whose type change
// copies the table while holding every writer for its whole run used to
// exit 0. The default gates fail both: app-compat and max-stall-share. And
// the defaults do not fail what production runs online: an INSTANT ADD
// COLUMN and an in-place ADD INDEX under the same load pass.
//
// Checked by hand with the mariadb client on plain MariaDB 10.11.19 and
// MySQL 9.7.4: after ALTER TABLE ... DROP COLUMN note, the old app's
// INSERT naming note fails with ERROR 1054 Unknown column 'note'; MODIFY
// amount DECIMAL(18,4) reports the table's rows as affected (a copy).
func TestDefaultGates(t *testing.T) {
	for _, tc := range []struct {
		target testserver.Target
		rows   int64 // a copy of about a second here
	}{{testserver.LocalMariaDB(), 60000}, {testserver.LocalMySQL(), 20000}} {
		t.Run(tc.target.Name, func(t *testing.T) {
			snap := sourceSnapshot(t, tc.target, tc.rows)
			files := baseFiles()
			files["000003_index.up.sql"] = "ALTER TABLE investments MODIFY amount DECIMAL(18,4) NOT NULL;\n"
			files["000003_index.down.sql"] = "ALTER TABLE investments MODIFY amount DECIMAL(14,2) NOT NULL;\n"
			files["000004_note.up.sql"] = "ALTER TABLE investments DROP COLUMN note;\n"
			files["000004_note.down.sql"] = "ALTER TABLE investments ADD COLUMN note VARCHAR(64) NULL AFTER amount;\n"
			rep := rehearseRun(t, tc.target, snap, writeMigrations(t, files), nil)
			if rep.Verdict != result.Fail {
				t.Errorf("verdict %s with the default gates, want fail", rep.Verdict)
			}
			ac := gateResults(rep, "app-compat")
			if len(ac) != 1 || ac[0].Passed {
				t.Errorf("app-compat gate %+v, want one, failed (the old app writes note)", ac)
			}
			copyStmt := stmt(t, rep, "3", 1)
			share := gateResults(rep, "max-stall-share")
			if copyStmt.Algorithm != "COPY" || len(share) != 1 || share[0].Passed || share[0].Scope != "000003#1" {
				t.Errorf("max-stall-share %+v on a %s taking %.2f s with a %.2f s stall: want it failed on 000003#1",
					share, copyStmt.Algorithm, copyStmt.DurationS, copyStmt.LongestStallS)
			}
			defaults := 0
			for _, s := range rep.GateSettings {
				if s.Default {
					defaults++
				}
			}
			if defaults != 4 || len(rep.GateSettings) != 4 {
				t.Errorf("gate settings %+v, want the 4 defaults", rep.GateSettings)
			}

			// The defaults pass what production runs online.
			files = baseFiles()
			files["000003_index.up.sql"] = "ALTER TABLE investments ADD COLUMN channel VARCHAR(16) NULL;\n" +
				"ALTER TABLE investments ADD INDEX idx_fund (fund_code);\n"
			files["000003_index.down.sql"] = "ALTER TABLE investments DROP INDEX idx_fund;\nALTER TABLE investments DROP COLUMN channel;\n"
			rep = rehearseRun(t, tc.target, snap, writeMigrations(t, files), nil)
			for n := 1; n <= 2; n++ {
				s := stmt(t, rep, "3", n)
				t.Logf("%s: %s %.3f s, longest writer stall %.3f s", firstWords(s.SQL, 6), s.Algorithm, s.DurationS, s.LongestStallS)
			}
			if rep.Verdict != result.Pass {
				var failed []string
				for _, g := range rep.Gates {
					if !g.Passed {
						failed = append(failed, g.Name+" "+g.Scope+" "+g.Measured)
					}
				}
				t.Errorf("online changes: verdict %s (%s), want pass with the defaults", rep.Verdict, strings.Join(failed, "; "))
			}
		})
	}
}
