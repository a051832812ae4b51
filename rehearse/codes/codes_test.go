package codes

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// root is the repository's root, from this package's folder.
const root = "../.."

var codeRE = regexp.MustCompile(`\b(?:RH|RUN|CAP)[0-9]{3}\b`)

// TestEveryCodeDocumented: each registered code has docs/rules/CODE.md,
// whose title line names the code and which states the default severity;
// each page there is a registered code's.
func TestEveryCodeDocumented(t *testing.T) {
	for _, c := range All() {
		b, err := os.ReadFile(filepath.Join(root, c.Docs()))
		if err != nil {
			t.Errorf("%s (%s) has no documentation page: %v", c.ID, c.Title, err)
			continue
		}
		page := string(b)
		if first, _, _ := strings.Cut(page, "\n"); !strings.HasPrefix(first, "# "+c.ID+":") {
			t.Errorf("%s: the page's first line is %q, want \"# %s: ...\"", c.Docs(), first, c.ID)
		}
		if head := firstLines(page, 6); !strings.Contains(strings.ToLower(head), "**"+string(c.Severity)) {
			t.Errorf("%s: the page does not state the default severity %s near the top (\"Default severity: **%s**\")", c.Docs(), c.Severity, c.Severity)
		}
	}
	pages, err := filepath.Glob(filepath.Join(root, "docs/rules/*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages in docs/rules: %v", err)
	}
	for _, p := range pages {
		id := strings.TrimSuffix(filepath.Base(p), ".md")
		if _, ok := Lookup(id); !ok {
			t.Errorf("%s documents %s, which is not registered in rehearse/codes/table.go", p, id)
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// TestEveryNamedCodeRegistered: every code named in the Go sources (tests
// included), the docs, the README, every testdata folder (fixtures and
// golden files) and the scenarios' expectations is a registered code.
func TestEveryNamedCodeRegistered(t *testing.T) {
	scanned := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch {
			case rel != "." && strings.HasPrefix(d.Name(), "."), d.Name() == "out", d.Name() == "bin", d.Name() == "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		if !scannable(rel) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		for i, line := range strings.Split(string(b), "\n") {
			for _, id := range codeRE.FindAllString(line, -1) {
				if _, ok := Lookup(id); !ok {
					t.Errorf("%s:%d names %s, which is not a registered code (rehearse/codes/table.go)", rel, i+1, id)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 50 {
		t.Fatalf("scanned only %d files: is the repository root %s?", scanned, root)
	}
}

// scannable: the files whose codes must be real.
func scannable(rel string) bool {
	rel = filepath.ToSlash(rel)
	switch {
	case strings.Contains("/"+rel, "/testdata/"):
		return true
	case strings.HasSuffix(rel, ".go"), strings.HasSuffix(rel, ".md"):
		return true
	case strings.HasPrefix(rel, "scenarios/") && (strings.HasSuffix(rel, ".yaml") || strings.HasSuffix(rel, ".yml")):
		return true
	case strings.HasPrefix(rel, "verdicts/"):
		return true
	}
	return false
}

// TestEmissionsGoThroughTheRegistry: outside this package no Go source
// (tests aside) spells a code as a string of its own ("RUN201"): findings
// are made from the registry's constants (plan.NewFinding, rules' of(),
// result.Finding.Of), which look the code up.
func TestEmissionsGoThroughTheRegistry(t *testing.T) {
	exact := regexp.MustCompile(`^(?:RH|RUN|CAP)[0-9]{3}$`)
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel != "." && strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || filepath.ToSlash(rel) == "rehearse/codes" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && exact.MatchString(s) {
				t.Errorf("%s: the code %s is spelled out: use its constant from rehearse/codes", fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOverrides(t *testing.T) {
	var o Overrides
	if err := o.Set(NoSharedHistory, "Warning", false); err != nil {
		t.Fatal(err)
	}
	if got := o.Severity(NoSharedHistory); got != Warning {
		t.Errorf("RH008 overridden to warning: got %s", got)
	}
	if got, keep := o.Apply(MigrationFailed, Error); got != Error || !keep {
		t.Errorf("a code without override: got %s %v", got, keep)
	}
	if err := o.Set(MultiDDL, "", true); err != nil {
		t.Fatal(err)
	}
	if _, keep := o.Apply(MultiDDL, Warning); keep {
		t.Error("a disabled code is kept")
	}
	if err := o.Set("RH"+"999", "error", false); err == nil || !strings.Contains(err.Error(), "not a finding code") {
		t.Errorf("an unknown code: %v", err)
	}
	if err := o.Set(MultiDDL, "fatal", false); err == nil || !strings.Contains(err.Error(), "want error, warning or info") {
		t.Errorf("an unknown severity: %v", err)
	}
	var nilO *Overrides
	if got, keep := nilO.Apply(Dirty, Error); got != Error || !keep {
		t.Error("nil overrides change something")
	}
}

func TestGetPanicsOnUnregistered(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Get of an unregistered code did not panic")
		}
	}()
	Get("RUN" + "999")
}
