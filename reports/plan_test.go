package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// testdata/plan*.json are real plans: `rehearse plan --format json` on the
// incident library's column-type-copy (errors) and mdl-pileup (warnings)
// scenarios, verified on a MariaDB 10.11 sandbox; plan-empty.json is the
// latter with nothing pending.
var planFixtures = []string{"plan", "plan-ok", "plan-empty"}

func loadPlan(t *testing.T, name string) *plan.Plan {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var p plan.Plan
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func TestPlanGolden(t *testing.T) {
	for _, name := range planFixtures {
		p := loadPlan(t, name)
		for _, f := range []string{"table", "md", "junit", "json"} {
			t.Run(name+"."+f, func(t *testing.T) {
				golden(t, filepath.Join("testdata", "golden", name+"."+goldenExt[f]), render(t, f, p, Options{}))
			})
		}
	}
}

func TestPlanRendering(t *testing.T) {
	p := loadPlan(t, "plan")
	table := string(render(t, "table", p, Options{}))
	if !strings.HasPrefix(table, "BLOCKED") {
		t.Errorf("a plan with errors starts %q", firstLine(table))
	}
	for i, l := range strings.Split(table, "\n") {
		if visibleLen(l) > 100 {
			t.Errorf("line %d is %d columns: %s", i+1, visibleLen(l), l)
		}
	}
	for _, want := range []string{"COPY/SHARED", "states (6,000,000)", "RH101", DefaultDocsBase + "docs/rules/RH101.md"} {
		if !strings.Contains(table, want) {
			t.Errorf("the plan table lacks %q", want)
		}
	}
	md := string(render(t, "md", p, Options{}))
	if !strings.Contains(md, "([docs]("+DefaultDocsBase+"docs/rules/RH101.md))") {
		t.Error("Markdown findings lack an absolute docs link")
	}
	if empty := string(render(t, "table", loadPlan(t, "plan-empty"), Options{})); !strings.HasPrefix(empty, "OK") || !strings.Contains(empty, "No pending migrations.") {
		t.Errorf("empty plan: %q", empty)
	}
	xmllint := testserver.Tool(t, "xmllint", "libxml2-utils")
	for _, name := range planFixtures {
		path := filepath.Join(t.TempDir(), name+".xml")
		os.WriteFile(path, render(t, "junit", loadPlan(t, name), Options{}), 0o644)
		if out, err := execCommand(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), path); err != nil {
			t.Errorf("%s junit.xml does not validate: %v\n%s", name, err, out)
		}
	}
	var doc junitSuites
	if err := xmlUnmarshal(render(t, "junit", p, Options{}), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Failures == 0 || doc.Suites[0].Tests != 2 {
		t.Errorf("plan junit: %d failures, %d statement cases", doc.Failures, doc.Suites[0].Tests)
	}
}
