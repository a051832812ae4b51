package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
)

// junitDoc is the part of JUnit XML the CLI tests read.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Name      string     `xml:"name,attr"`
			Classname string     `xml:"classname,attr"`
			Failures  []struct{} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// checkJUnit validates path against the JUnit schema Jenkins' reporter
// reads (reports/testdata/junit.xsd, as the reports tests do) and decodes it.
func checkJUnit(t *testing.T, path string) junitDoc {
	t.Helper()
	xmllint := testserver.Tool(t, "xmllint", "libxml2-utils")
	if out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("..", "..", "reports", "testdata", "junit.xsd"), path).CombinedOutput(); err != nil {
		t.Errorf("%s does not validate: %v\n%s", path, err, out)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

// readOut reads a file --out-dir wrote.
func readOut(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("--out-dir did not write %s: %v", name, err)
	}
	return string(b)
}

// TestPlanFormats: `rehearse plan --format table,md,json,junit --out-dir`
// writes each file with the shared renderers, -o saves the JSON plan that
// `rehearse report` renders the same way, and the exit code is still the
// plan's verdict (1: error-severity findings). Predictions only
// (--no-verify): no server is needed.
func TestPlanFormats(t *testing.T) {
	lib := filepath.Join("..", "..", "scenarios", "library", "column-type-copy")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	saved := filepath.Join(dir, "plan.json")
	args := []string{"plan", "--snapshot", filepath.Join(lib, "production.json"), "--migrations", filepath.Join(lib, "migrations"), "--no-verify"}
	code, stdout, stderr := runRehearse(t, nil, append(args, "--format", "table,md,json,junit", "--out-dir", out, "-o", saved)...)
	if code != 1 {
		t.Fatalf("plan with error findings: exit %d, want 1\n%s", code, stderr)
	}
	table := readOut(t, out, "report.txt")
	if !strings.HasPrefix(table, "BLOCKED") || !strings.Contains(table, "RH101") {
		t.Errorf("report.txt:\n%s", table)
	}
	if stdout != table {
		t.Errorf("standard output is not the table written to report.txt:\n%s", stdout)
	}
	for _, name := range []string{"report.txt", "report.md", "report.json", "junit.xml"} {
		if !strings.Contains(stderr, "wrote "+filepath.Join(out, name)) {
			t.Errorf("stderr does not say it wrote %s:\n%s", name, stderr)
		}
	}
	if md := readOut(t, out, "report.md"); !strings.Contains(md, "Migration plan blocked") || !strings.Contains(md, "| Statement |") {
		t.Errorf("report.md:\n%s", md)
	}
	js := readOut(t, out, "report.json")
	var doc struct {
		Format  string
		Summary struct{ Errors int }
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil || doc.Format != "rehearse.plan/v1" || doc.Summary.Errors == 0 {
		t.Errorf("report.json: %+v, %v", doc, err)
	}
	if b, _ := os.ReadFile(saved); string(b) != js {
		t.Error("-o plan.json differs from --out-dir's report.json")
	}
	ju := checkJUnit(t, filepath.Join(out, "junit.xml"))
	if len(ju.Suites) != 2 || ju.Suites[0].Name != "rehearse.plan.statements" || ju.Suites[1].Name != "rehearse.plan.findings" ||
		len(ju.Suites[1].Cases) == 0 || ju.Failures == 0 {
		t.Errorf("junit.xml: %+v", ju)
	}
	if code, again, stderr := runRehearse(t, nil, "report", saved); code != 0 || again != table {
		t.Errorf("rehearse report of the saved plan: exit %d, differs from report.txt\n%s%s", code, again, stderr)
	}

	// A format that does not fit a plan is refused before any work, with
	// the formats that do.
	none := filepath.Join(dir, "none")
	code, _, stderr = runRehearse(t, nil, append(args, "--format", "md,html", "--out-dir", none)...)
	if code != 2 || !strings.Contains(stderr, `"html" does not apply to a plan`) || !strings.Contains(stderr, "Try: use one of: table, md, junit, json") {
		t.Errorf("--format md,html: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(none); err == nil {
		t.Error("a refused --format still created --out-dir")
	}
	if code, _, stderr = runRehearse(t, nil, append(args, "--format", "md,json")...); code != 2 || !strings.Contains(stderr, "--out-dir") {
		t.Errorf("two formats without --out-dir: exit %d\n%s", code, stderr)
	}
}

// TestDiffFormats: `rehearse diff --format table,md,json,junit --out-dir`;
// JUnit has one case per drift kind, failed for the kinds with drift; the
// exit code still follows --fail-on.
func TestDiffFormats(t *testing.T) {
	lib := filepath.Join("..", "..", "scenarios", "library", "cherry-picked-migration")
	args := []string{"diff", filepath.Join(lib, "production.json"), filepath.Join(lib, "staging.json"), "--names", "production,staging"}
	out := filepath.Join(t.TempDir(), "parity")
	code, stdout, stderr := runRehearse(t, nil, append(args, "--format", "table,md,json,junit", "--out-dir", out)...)
	if code != 1 {
		t.Fatalf("diff with drift: exit %d, want 1\n%s", code, stderr)
	}
	table := readOut(t, out, "report.txt")
	if !strings.HasPrefix(table, "DRIFT") || stdout != table {
		t.Errorf("report.txt (and standard output):\n%s", table)
	}
	if md := readOut(t, out, "report.md"); !strings.Contains(md, "Environment parity: production vs staging") || !strings.Contains(md, "#### schema drift (1)") {
		t.Errorf("report.md:\n%s", md)
	}
	var doc struct {
		Findings []struct{ Kind string }
	}
	if err := json.Unmarshal([]byte(readOut(t, out, "report.json")), &doc); err != nil || len(doc.Findings) == 0 {
		t.Errorf("report.json: %+v, %v", doc, err)
	}
	kinds := map[string]int{}
	for _, f := range doc.Findings {
		kinds[f.Kind]++
	}
	ju := checkJUnit(t, filepath.Join(out, "junit.xml"))
	if len(ju.Suites) != 1 || len(ju.Suites[0].Cases) != 5 {
		t.Fatalf("junit.xml: want one suite with a case per drift kind: %+v", ju)
	}
	for _, c := range ju.Suites[0].Cases {
		kind := c.Classname[strings.LastIndex(c.Classname, ".")+1:]
		if len(c.Failures) != kinds[kind] {
			t.Errorf("junit case %q: %d failures, %d %s findings", c.Name, len(c.Failures), kinds[kind], kind)
		}
	}
	if kinds["schema"] == 0 || kinds["settings"] != 0 {
		t.Fatalf("the fixture's drift changed: %v", kinds)
	}
	// --fail-on still decides the exit code; the files are written either way.
	out2 := filepath.Join(t.TempDir(), "settings-only")
	if code, _, stderr = runRehearse(t, nil, append(args, "--fail-on", "settings", "--format", "junit,json", "--out-dir", out2)...); code != 0 {
		t.Errorf("--fail-on settings without settings drift: exit %d\n%s", code, stderr)
	}
	readOut(t, out2, "junit.xml")
	if code, _, stderr = runRehearse(t, nil, append(args, "--format", "prom")...); code != 2 || !strings.Contains(stderr, "does not apply to a snapshot diff") {
		t.Errorf("--format prom: exit %d\n%s", code, stderr)
	}
}
