package run

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// The server's answer is in the report: before data generation the sandbox
// is asked which ALGORITHM/LOCK each pending ALTER gets. On MariaDB 10.11 an
// ADD COLUMN is INSTANT and a DECIMAL type change copies the table; the run
// then uses what the server said, the rule table agrees, and the probe is a
// timed phase between restore and generate.
func TestVerifiedAlgorithms(t *testing.T) {
	target := testserver.LocalMariaDB()
	snap := sourceSnapshot(t, target, 500)
	files := baseFiles()
	files["000004_amount.up.sql"] = "ALTER TABLE investments MODIFY amount DECIMAL(18,4) NOT NULL;\n"
	files["000004_amount.down.sql"] = "ALTER TABLE investments MODIFY amount DECIMAL(14,2) NOT NULL;\n"
	set := writeMigrations(t, files)
	rep := rehearseRun(t, target, snap, set, nil)

	add, modify := stmt(t, rep, "3", 1), stmt(t, rep, "4", 1)
	for _, c := range []struct {
		name      string
		s         result.Statement
		alg, lock string
	}{
		{"ADD COLUMN", add, "INSTANT", "NONE"},
		{"MODIFY DECIMAL(14,2) -> DECIMAL(18,4)", modify, "COPY", "SHARED"},
	} {
		s := c.s
		if s.VerifiedAlg != c.alg || s.VerifiedLock != c.lock {
			t.Errorf("%s: verified %s/%s (%s), want %s/%s", c.name, s.VerifiedAlg, s.VerifiedLock, s.VerifyNote, c.alg, c.lock)
		}
		if s.PredictedAlg == "" {
			t.Errorf("%s: no prediction from the rule table", c.name)
		}
		// A disagreement is a rule-table bug, and the report says so.
		disagrees := s.PredictedAlg != s.VerifiedAlg || s.PredictedLock != s.VerifiedLock
		if f := finding(rep, "RUN205", s.Index, stmtVersion(rep, s)); disagrees != (f != nil) {
			t.Errorf("%s: predicted %s/%s, verified %s/%s, RUN205 finding %+v", c.name, s.PredictedAlg, s.PredictedLock, s.VerifiedAlg, s.VerifiedLock, f)
		} else if f != nil && !strings.Contains(f.Message, s.PredictedAlg+"/LOCK="+s.PredictedLock) {
			t.Errorf("%s: RUN205 does not name the prediction: %s", c.name, f.Message)
		}
		if s.Algorithm != c.alg {
			t.Errorf("%s: used %q (rows affected %d), want %s", c.name, s.Algorithm, s.RowsAffected, c.alg)
		}
	}
	for _, f := range rep.Findings {
		if f.Code == "RUN206" {
			t.Errorf("unexpected finding %s: %s", f.Code, f.Message)
		}
	}

	// The probe is its own timed phase, after restore and before generate.
	order := map[string]int{}
	for i, p := range rep.Phases {
		order[p.Name] = i
		if p.Name == "probe" && (p.Status != "ok" || p.Duration <= 0 || !strings.Contains(p.Detail, "2 ALGORITHM/LOCK answers")) {
			t.Errorf("probe phase %+v, want ok with a duration and 2 answers", p)
		}
	}
	pi, ok := order["probe"]
	if !ok || pi < order["restore"] || pi > order["generate"] {
		t.Errorf("phases %+v: want probe between restore and generate", rep.Phases)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("errors: %+v", rep.Errors)
	}
}

func stmtVersion(rep *result.Report, s result.Statement) string {
	for _, m := range rep.Migrations {
		for _, x := range m.Statements {
			if x.SQL == s.SQL && x.Index == s.Index {
				return m.Version
			}
		}
	}
	return ""
}

func finding(rep *result.Report, code string, index int, version string) *result.Finding {
	for i, f := range rep.Findings {
		if f.Code == code && f.Statement == index && f.Migration == version {
			return &rep.Findings[i]
		}
	}
	return nil
}

// The three answers compared, without a server: the rule table against the
// server (RUN205), and the server's promise against what the run did
// (RUN206, both ways, the reverse only where the table had rows).
func TestAlgorithmFindings(t *testing.T) {
	snap := &snapshot.Snapshot{Source: snapshot.Source{Flavor: "mariadb", Version: "10.11.6"}}
	r := &rehearsal{opts: Options{Snapshot: snap}, schema: "app", report: &result.Report{
		Inputs: result.Inputs{Flavor: "mariadb", Version: "10.11.19", TableRows: map[string]int64{"app.t": 100}},
		Migrations: []result.Migration{{Version: "5", Statements: []result.Statement{
			{Index: 1, Status: "ok", Operation: "change-type", Table: "t", Algorithm: "COPY", RowsAffected: 100,
				PredictedAlg: "INSTANT", PredictedLock: "NONE", VerifiedAlg: "COPY", VerifiedLock: "SHARED"},
			{Index: 2, Status: "ok", Operation: "add-column", Table: "t", Algorithm: "COPY", RowsAffected: 100,
				PredictedAlg: "INSTANT", PredictedLock: "NONE", VerifiedAlg: "INSTANT", VerifiedLock: "NONE"},
			{Index: 3, Status: "ok", Operation: "change-type", Table: "t", Algorithm: "INPLACE/INSTANT",
				PredictedAlg: "COPY", PredictedLock: "SHARED", VerifiedAlg: "COPY", VerifiedLock: "SHARED"},
			{Index: 4, Status: "ok", Operation: "change-type", Table: "empty", Algorithm: "INPLACE/INSTANT",
				PredictedAlg: "COPY", PredictedLock: "SHARED", VerifiedAlg: "COPY", VerifiedLock: "SHARED"},
			{Index: 5, Status: "not_run", Operation: "add-index", Table: "t",
				PredictedAlg: "NOCOPY", PredictedLock: "NONE", VerifiedAlg: "NOCOPY", VerifiedLock: "NONE"},
			{Index: 6, Status: "failed", Operation: "add-index", Table: "t", PredictedAlg: "NOCOPY", PredictedLock: "NONE"},
		}}},
	}}
	r.algorithmFindings()
	got := map[string]string{}
	for _, f := range r.report.Findings {
		got[fmt.Sprintf("%s#%d", f.Code, f.Statement)] = f.Severity + ": " + f.Message
	}
	want := map[string][]string{
		"RUN205#1": {"info: ", "predicted INSTANT/LOCK=NONE", "accepted COPY/LOCK=SHARED", "mariadb 10.11.19", "snapshot's mariadb 10.11.6"},
		"RUN206#2": {"warning: ", "accepts INSTANT/LOCK=NONE", "copied the table (100 rows)"},
		"RUN206#3": {"info: ", "verified only COPY/LOCK=SHARED", "copied no row"},
	}
	for k, parts := range want {
		for _, p := range parts {
			if !strings.Contains(got[k], p) {
				t.Errorf("%s = %q, want it to contain %q", k, got[k], p)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want exactly %v", got, want)
	}
}
