package reports

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// Every fixture's JUnit XML validates against the schema Jenkins' reporter
// reads (testdata/junit.xsd), checked by libxml2's validator.
func TestJUnitValidatesAgainstSchema(t *testing.T) {
	xmllint := testserver.Tool(t, "xmllint", "libxml2-utils")
	dir := t.TempDir()
	for _, name := range append(fixtureNames, "big") {
		var doc *result.Report
		if name != "big" {
			doc = loadFixture(t, name)
		} else {
			doc = bigReport(t, 50)
		}
		path := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(path, render(t, "junit", doc, Options{}), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), path).CombinedOutput()
		if err != nil {
			t.Errorf("%s: junit.xml does not validate: %v\n%s", name, err, out)
		}
	}
	// The check can fail: a document without the required attributes is
	// rejected.
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte(`<testsuites><testsuite name="x"><testcase/></testsuite></testsuites>`), 0o644)
	if err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), bad).Run(); err == nil {
		t.Error("the schema accepted a testsuite without tests/failures/errors and a testcase without a name")
	}
}

// One test case per statement and per gate; failures carry the measured
// figure and the limit; counts add up.
func TestJUnitCasesAndFailures(t *testing.T) {
	r := loadFixture(t, "fail")
	var doc junitSuites
	if err := xml.Unmarshal(render(t, "junit", r, Options{}), &doc); err != nil {
		t.Fatal(err)
	}
	byName := map[string]junitSuite{}
	for _, s := range doc.Suites {
		byName[s.Name] = s
		failed := 0
		for _, c := range s.Cases {
			if len(c.Failures) > 0 {
				failed++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != failed {
			t.Errorf("suite %s: tests=%d failures=%d, has %d cases of which %d failed", s.Name, s.Tests, s.Failures, len(s.Cases), failed)
		}
	}
	stmts, gates := byName["rehearse.migrations"], byName["rehearse.gates"]
	if len(stmts.Cases) != 3 || len(gates.Cases) != len(r.Gates) {
		t.Fatalf("%d statement cases (want 3), %d gate cases (want %d)", len(stmts.Cases), len(gates.Cases), len(r.Gates))
	}
	first := stmts.Cases[0]
	if len(first.Failures) != 2 || !strings.Contains(first.Failures[0].Message, "measured 20.02s, limit 5s") ||
		!strings.Contains(first.Failures[1].Message, "measured 20.1s, limit 2s") {
		t.Errorf("statement 1's failures: %+v", first.Failures)
	}
	if f := gates.Cases[3].Failures; len(f) != 1 || f[0].Message != "measured 20.05s, limit 500ms" {
		t.Errorf("max-p99 gate failure: %+v", f)
	}
	if len(gates.Cases[4].Failures) != 0 {
		t.Error("a passed gate carries a failure")
	}
	// Rollback and previous-app cases mirror their gates: the rollback gate
	// passed, so its cases pass even with data lost (the detail is output).
	if rb := byName["rehearse.rollback"]; rb.Failures != 0 || !strings.Contains(rb.Cases[0].SystemOut.Body, "data_lost") {
		t.Errorf("rollback suite: %+v", rb)
	}
	part := loadFixture(t, "partial")
	var pd junitSuites
	if err := xml.Unmarshal(render(t, "junit", part, Options{}), &pd); err != nil {
		t.Fatal(err)
	}
	ps := pd.Suites[0]
	if ps.Skipped != 2 || ps.Failures != 1 || !strings.Contains(ps.Cases[1].Failures[0].Message, "1060") {
		t.Errorf("partial: skipped=%d failures=%d cases=%+v", ps.Skipped, ps.Failures, ps.Cases[1])
	}
}

func execCommand(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).CombinedOutput()
}

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }

// Plans: one case per statement and one per finding; a finding's case fails
// exactly when its severity is error. Diffs: one case per drift kind, failed
// when that kind has findings, with one <failure> per finding.
func TestJUnitPlanAndDiffCases(t *testing.T) {
	for _, name := range planFixtures {
		p := loadPlan(t, name)
		var doc junitSuites
		if err := xml.Unmarshal(render(t, "junit", p, Options{}), &doc); err != nil {
			t.Fatal(err)
		}
		suites := map[string]junitSuite{}
		for _, s := range doc.Suites {
			suites[s.Name] = s
		}
		if got, want := len(suites["rehearse.plan.statements"].Cases), len(planRows(p)); got != want {
			t.Errorf("%s: %d statement cases, want %d", name, got, want)
		}
		finds := suites["rehearse.plan.findings"]
		if len(finds.Cases) != len(p.Findings) {
			t.Fatalf("%s: %d finding cases, want %d", name, len(finds.Cases), len(p.Findings))
		}
		errs := 0
		for i, f := range p.Findings {
			failed := len(finds.Cases[i].Failures) > 0
			if failed != (f.Severity == "error") {
				t.Errorf("%s: finding %s (%s) failed=%v", name, f.Code, f.Severity, failed)
			}
			if f.Severity == "error" {
				errs++
			}
		}
		if finds.Failures != errs || p.Summary.Errors != errs {
			t.Errorf("%s: findings suite has %d failures, plan has %d errors (summary %d)", name, finds.Failures, errs, p.Summary.Errors)
		}
	}
	for _, name := range []string{"diff", "diff-clean"} {
		d := loadDiff(t, name)
		var doc junitSuites
		if err := xml.Unmarshal(render(t, "junit", d, Options{}), &doc); err != nil {
			t.Fatal(err)
		}
		cases := doc.Suites[0].Cases
		if len(doc.Suites) != 1 || len(cases) != len(snapshot.DriftKinds) {
			t.Fatalf("%s: %d suites, %d cases; want 1 suite with a case per drift kind", name, len(doc.Suites), len(cases))
		}
		failed := 0
		for i, k := range snapshot.DriftKinds {
			if !strings.HasSuffix(cases[i].Classname, "."+string(k)) || len(cases[i].Failures) != d.Count(k) {
				t.Errorf("%s: case %s has %d failures, %d %s findings", name, cases[i].Classname, len(cases[i].Failures), d.Count(k), k)
			}
			if d.Count(k) > 0 {
				failed++
			}
		}
		if doc.Failures != failed || (name == "diff") != (failed > 0) {
			t.Errorf("%s: %d failed cases, want %d", name, doc.Failures, failed)
		}
	}
}
