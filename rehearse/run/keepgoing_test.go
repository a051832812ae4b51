package run

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/result"
)

// Issue 12 item 8. A release with three independent problems: 000003
// fails half-way (its INSERT omits created_at, NOT NULL without default:
// 1364, after its ADD COLUMN committed), 000004 names a column that does
// not exist (1072), 000005 drops a column the previous app still writes.
// By default the rehearsal stops at 000003, as the runner does: one
// problem per CI round. With KeepGoing one run reports all three: both
// failures with their partial states, 000005 rehearsed on the state they
// left (marked), and the previous app's failure on note; the verdict fails.
//
// Checked by hand with the mariadb client on plain MariaDB 10.11.19 and
// MySQL 9.7.4: the INSERT fails with 1364 after the ADD COLUMN stays;
// CREATE INDEX ... (fund_cod) fails with 1072; the old app's INSERT naming
// note fails with 1054 once note is dropped.
func TestKeepGoing(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			snap := sourceSnapshot(t, target, 500)
			files := baseFiles()
			files["000003_index.up.sql"] = "ALTER TABLE investments ADD COLUMN channel VARCHAR(16) NULL;\n" +
				"INSERT INTO investments (account_id, fund_code, amount) VALUES (1, 'X', 1);\n" +
				"ALTER TABLE investments ADD INDEX idx_channel (channel);\n"
			files["000003_index.down.sql"] = "ALTER TABLE investments DROP INDEX idx_channel;\nALTER TABLE investments DROP COLUMN channel;\n"
			files["000004_fund.up.sql"] = "CREATE INDEX idx_fund ON investments (fund_cod);\n"
			files["000004_fund.down.sql"] = "DROP INDEX idx_fund ON investments;\n"
			files["000005_note.up.sql"] = "ALTER TABLE investments DROP COLUMN note;\n"
			files["000005_note.down.sql"] = "ALTER TABLE investments ADD COLUMN note VARCHAR(64) NULL AFTER amount;\n"
			set := writeMigrations(t, files)

			// Faithful by default: the first failure stops the release.
			rep := rehearseRun(t, target, snap, set, nil)
			if s := stmt(t, rep, "3", 2); s.ErrorCode != 1364 {
				t.Fatalf("000003#2: %s %d %q, want 1364", s.Status, s.ErrorCode, s.Error)
			}
			for _, v := range []string{"4", "5"} {
				if s := stmt(t, rep, v, 1); s.Status != "not_run" {
					t.Errorf("without keep-going %s#1 is %s, want not_run", v, s.Status)
				}
			}
			if rep.AppCompat != nil && len(rep.AppCompat.Failures) > 0 {
				t.Errorf("without keep-going the previous-app check ran: %+v", rep.AppCompat)
			}

			rep = rehearseRun(t, target, snap, set, func(o *Options) { o.KeepGoing = true })
			if rep.Verdict != result.Fail || !rep.Inputs.KeepGoing {
				t.Errorf("verdict %s (keep going %v), want fail", rep.Verdict, rep.Inputs.KeepGoing)
			}
			byVersion := map[string]result.Migration{}
			for _, m := range rep.Migrations {
				byVersion[strings.TrimLeft(m.Version, "0")] = m
			}
			// Problem 1: half-applied, the committed ADD COLUMN kept.
			m3 := byVersion["3"]
			if m3.Status != "failed" || m3.Partial == nil || m3.Partial.FailedAt != 2 || !m3.Partial.KeptGoing {
				t.Errorf("000003 %s partial %+v, want failed at 2, kept going", m3.Status, m3.Partial)
			}
			// Problem 2: fails on its own, on the state 000003 left.
			if s := stmt(t, rep, "4", 1); s.ErrorCode != 1072 {
				t.Errorf("000004#1: %s %d %q, want 1072", s.Status, s.ErrorCode, s.Error)
			}
			if m4 := byVersion["4"]; m4.Status != "failed" || !strings.Contains(m4.AfterFailure, "000003") {
				t.Errorf("000004 %s after failure %q, want failed and marked as rehearsed after 000003", m4.Status, m4.AfterFailure)
			}
			// Problem 3: applied, and the previous app breaks on note.
			m5 := byVersion["5"]
			if m5.Status != "applied" || !strings.Contains(m5.AfterFailure, "000003, 000004") {
				t.Errorf("000005 %s after failure %q, want applied, marked as rehearsed after 000003, 000004", m5.Status, m5.AfterFailure)
			}
			if rep.AppCompat == nil || len(rep.AppCompat.Failures) == 0 || !strings.Contains(rep.AppCompat.Failures[0].Shape, "note") {
				t.Errorf("app-compat %+v, want the old app's statements on note failing", rep.AppCompat)
			}
			for _, want := range []string{"migration 000003 statement 2 failed", "migration 000004 statement 1 failed", "app-compat"} {
				if !strings.Contains(rep.Reason, want) {
					t.Errorf("reason %q lacks %q", rep.Reason, want)
				}
			}
			// The failed migrations' downs were tried: 000004 committed
			// nothing; 000003's down fails on the index that never got built.
			if rb := rollbackOf(t, rep, "3"); rb.Verdict != "failed" || m3.Partial.DownRecovers != "no" {
				t.Errorf("000003's down on its partial state: %q (recovers %q), want failed", rb.Verdict, m3.Partial.DownRecovers)
			}
			if rb := rollbackOf(t, rep, "5"); rb.Verdict != "data_lost" {
				t.Errorf("000005's down: %q %v, want data_lost", rb.Verdict, rb.Detail)
			}
		})
	}
}
