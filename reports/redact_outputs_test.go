package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/redact"
	"github.com/rehearse/rehearse/rehearse/result"
)

// No output format contains a password from a DSN (or other credential)
// present anywhere in the document's inputs, errors or text.
func TestNoOutputContainsAPassword(t *testing.T) {
	const pw = "Sup3rS3cret-pw"
	dsns := []string{
		"app:" + pw + "@tcp(db.prod.internal:3306)/app?parseTime=true",
		"mysql://admin:" + pw + "@db.prod.internal:3306/app",
		"--password=" + pw,
		"MYSQL_PWD=" + pw,
		"CREATE USER 'ro'@'%' IDENTIFIED BY '" + pw + "'",
	}
	// Every form at once, in every field (one rendering per fixture and
	// format keeps the test fast); each form is also checked alone below.
	all := strings.Join(dsns, " ; ")
	for _, dsn := range dsns {
		if got := redact.String(dsn); strings.Contains(got, pw) {
			t.Errorf("redact.String(%q) = %q", dsn, got)
		}
	}
	for _, dsn := range []string{all} {
		for _, name := range fixtureNames {
			r := loadFixture(t, name)
			plant(r, dsn)
			for _, f := range Formats() {
				var b bytes.Buffer
				if err := Render(&b, f.Name, r, Options{Color: true}); err != nil {
					t.Fatalf("%s/%s: %v", name, f.Name, err)
				}
				if strings.Contains(b.String(), pw) {
					t.Errorf("%s rendered as %s contains the password planted as %q", name, f.Name, dsn)
				}
			}
			if !strings.Contains(r.Inputs.Source, pw) {
				t.Fatal("Render modified the caller's document")
			}
		}
	}
}

// plant puts s wherever a careless caller might put a DSN.
func plant(r *result.Report, s string) {
	r.Inputs.Source = "mariadb 10.11 at " + s
	r.Inputs.Engine = "dsn " + s
	r.Inputs.Snapshot = s
	r.Inputs.Settings = append(r.Inputs.Settings, "dsn="+s)
	r.Reason += " (" + s + ")"
	r.Errors = append(r.Errors, result.ErrorEntry{Phase: "provision", Message: "connect " + s + ": refused"})
	if len(r.Phases) > 0 {
		r.Phases[0].Detail = s
	}
	r.Findings = append(r.Findings, result.Finding{Code: "RUN201", Severity: "warning", Message: "seen " + s, Fix: s})
	r.Gates = append(r.Gates, result.Gate{Name: "max-lock-wait", Scope: s, Limit: s, Measured: s})
	for i := range r.Migrations {
		for j := range r.Migrations[i].Statements {
			st := &r.Migrations[i].Statements[j]
			st.SQL += " -- " + s
			st.BlockedBy = s
			if st.During != nil {
				st.During.Errors = map[string]int64{"connection " + s: 1}
			}
		}
	}
}

// Plans and diffs are masked the same way.
func TestNoPlanOrDiffOutputContainsAPassword(t *testing.T) {
	const pw = "Pl4nS3cret"
	p := loadPlan(t, "plan")
	p.Snapshot.File = "app:" + pw + "@tcp(db:3306)/app"
	p.Findings[0].Message += " mysql://root:" + pw + "@db/app"
	d := loadDiff(t, "diff")
	d.A.Host = "root:" + pw + "@tcp(prod:3306)/"
	d.Findings[0].Consequence += " password=" + pw
	for _, doc := range []any{p, d} {
		for _, f := range []string{"table", "md", "junit", "json"} {
			if out := string(render(t, f, doc, Options{})); strings.Contains(out, pw) {
				t.Errorf("%T as %s contains the password", doc, f)
			}
		}
	}
}

// Files are masked a second time as text (redact.WriteFile): that must not
// change a rendering without credentials (no figure or name looks like one).
func TestTextMaskKeepsRenderings(t *testing.T) {
	for _, name := range fixtureNames {
		r := loadFixture(t, name)
		for _, f := range Formats() {
			var b bytes.Buffer
			if err := Render(&b, f.Name, r, Options{}); err != nil {
				t.Fatal(err)
			}
			if got := redact.String(b.String()); got != b.String() {
				t.Errorf("%s as %s changes when masked as text", name, f.Name)
			}
		}
	}
}
