package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// testdata/diff*.json are real diffs: snapshot.Diff of the incident
// library's production and staging snapshots, written under -fixtures
// (then fixed, so another package's change cannot move these goldens).
func TestDiffFixtures(t *testing.T) {
	if !*writeFixtures {
		testserver.Deselected(t, "a generator: run with -fixtures to rewrite testdata/diff*.json")
	}
	lib := filepath.Join("..", "scenarios", "library", "cherry-picked-migration")
	prod, err := snapshot.LoadFile(filepath.Join(lib, "production.json"))
	if err != nil {
		t.Fatal(err)
	}
	stag, err := snapshot.LoadFile(filepath.Join(lib, "staging.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]*snapshot.DiffReport{
		"diff":       snapshot.Diff(prod, stag, snapshot.DiffOptions{NameA: "production", NameB: "staging"}),
		"diff-clean": snapshot.Diff(prod, prod, snapshot.DiffOptions{NameA: "production", NameB: "production-copy"}),
	} {
		raw, _ := json.MarshalIndent(d, "", "  ")
		if err := os.WriteFile(filepath.Join("testdata", name+".json"), append(raw, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func loadDiff(t *testing.T, name string) *snapshot.DiffReport {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var d snapshot.DiffReport
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

func TestDiffGolden(t *testing.T) {
	for _, name := range []string{"diff", "diff-clean"} {
		d := loadDiff(t, name)
		for _, f := range []string{"table", "md", "junit", "json"} {
			t.Run(name+"."+f, func(t *testing.T) {
				golden(t, filepath.Join("testdata", "golden", name+"."+goldenExt[f]), render(t, f, d, Options{}))
			})
		}
	}
}

func TestDiffRendering(t *testing.T) {
	d := loadDiff(t, "diff")
	if len(d.Findings) == 0 {
		t.Fatal("the diff fixture has no findings")
	}
	table := string(render(t, "table", d, Options{}))
	if !strings.HasPrefix(table, "DRIFT") {
		t.Errorf("the diff table does not start with the verdict: %q", firstLine(table))
	}
	for i, l := range strings.Split(table, "\n") {
		if visibleLen(l) > 100 {
			t.Errorf("line %d is %d columns", i+1, visibleLen(l))
		}
	}
	for _, f := range d.Findings {
		if !strings.Contains(table, f.Object) {
			t.Errorf("the table lacks finding %s", f.Object)
		}
	}
	if clean := string(render(t, "table", loadDiff(t, "diff-clean"), Options{})); !strings.HasPrefix(clean, "NO DRIFT") {
		t.Errorf("clean diff: %q", firstLine(clean))
	}
	// JUnit: one case per drift kind, validated like the run report's.
	xmllint := testserver.Tool(t, "xmllint", "libxml2-utils")
	path := filepath.Join(t.TempDir(), "diff.xml")
	os.WriteFile(path, render(t, "junit", d, Options{}), 0o644)
	if out, err := execCommand(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), path); err != nil {
		t.Errorf("diff junit.xml does not validate: %v\n%s", err, out)
	}
	// Formats that do not fit a diff say which do.
	var b bytes.Buffer
	err := Render(&b, "html", d, Options{})
	if err == nil || !strings.Contains(err.Error(), "snapshot diff") || !strings.Contains(errHint(err), "table, md, junit, json") {
		t.Errorf("html for a diff: %v (hint %q)", err, errHint(err))
	}
}
