package testserver

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// childCase names the case TestPolicyChild runs in a child process.
const childCase = "TESTSERVER_POLICY_CASE"

// TestPolicyChild is the body of TestPolicy's cases, run in a child test
// process (a test that fails or skips on purpose cannot run in this one).
func TestPolicyChild(t *testing.T) {
	switch os.Getenv(childCase) {
	case "":
		return // the entry point of TestPolicy's child processes, nothing by itself
	case "missing":
		Missing(t, "the widget", "apt-get install widget")
	case "tool":
		Tool(t, "rehearse-no-such-tool", "no-such-package")
	case "root":
		// REHEARSE_ROOTFS_DIR is an empty folder: MySQL 9.7's root is absent.
		var names []string
		for _, tg := range Targets() {
			names = append(names, tg.Name)
		}
		t.Logf("targets: %s", strings.Join(names, " "))
		Start(t, LocalMySQL())
	case "broken":
		StartFailed(t, "local-mariadb", errors.New("the engine broke"))
	case "long":
		Long(t)
	default:
		t.Fatalf("unknown case %q", os.Getenv(childCase))
	}
	t.Log("the test went on")
}

// TestPolicy: under REHEARSE_REQUIRE=all a missing thing fails the test,
// saying what to install; without it the test is skipped with the same
// words. Targets lists every server whether or not its root exists, and a
// missing root is reported, never left out. An engine that fails for a
// reason other than a missing part fails in both modes.
func TestPolicy(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	emptyRoots := t.TempDir()
	for _, c := range []struct {
		name, require string
		env           []string
		want          []string
	}{
		{"missing", "all", nil, []string{"--- FAIL", MissingPrefix + "the widget — apt-get install widget", RequireEnv + "=all"}},
		{"missing", "", nil, []string{"--- SKIP", MissingPrefix + "the widget — apt-get install widget"}},
		{"missing", "1", nil, []string{"--- SKIP", MissingPrefix + "the widget"}}, // only "all" is the policy
		{"tool", "all", nil, []string{"--- FAIL", "rehearse-no-such-tool not found on PATH", "apt-get install no-such-package"}},
		{"tool", "", nil, []string{"--- SKIP", "rehearse-no-such-tool not found on PATH"}},
		{"root", "all", []string{"REHEARSE_ROOTFS_DIR=" + emptyRoots}, []string{"--- FAIL",
			"targets: local-mariadb local-mysql-9.7 local-mariadb-11.8",
			"local-mysql-9.7: image root " + filepath.Join(emptyRoots, "mysql-9.7") + " not built (run `make images`)"}},
		{"root", "", []string{"REHEARSE_ROOTFS_DIR=" + emptyRoots}, []string{"--- SKIP", "targets: local-mariadb local-mysql-9.7 local-mariadb-11.8", "not built (run `make images`)"}},
		{"root", "", []string{"REHEARSE_ROOTFS_DIR=" + emptyRoots, "REHEARSE_TEST_DOCKER=1"}, []string{"targets: local-mariadb local-mysql-9.7 local-mariadb-11.8 docker-mysql-9.7 docker-mariadb-11.8 docker-mariadb-10.11"}},
		{"broken", "", nil, []string{"--- FAIL", "start local-mariadb: the engine broke"}},
		{"long", "all", []string{"REHEARSE_LONG="}, []string{"--- SKIP", DeselectedPrefix + "the full run only"}},
		{"long", "all", []string{"REHEARSE_LONG=1"}, []string{"--- PASS", "the test went on"}},
	} {
		t.Run(fmt.Sprintf("%s/%s=%s", c.name, RequireEnv, c.require), func(t *testing.T) {
			cmd := exec.Command(exe, "-test.run=^TestPolicyChild$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), childCase+"="+c.name, RequireEnv+"="+c.require)
			cmd.Env = append(cmd.Env, c.env...)
			out, _ := cmd.CombinedOutput()
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if c.want[0] != "--- PASS" && strings.Contains(string(out), "the test went on") {
				t.Errorf("the test went on after it should have ended:\n%s", out)
			}
		})
	}
}

// TestNoAdHocSkips: no test in the module skips or reads CI on its own.
// Every skip goes through this package (Missing, Deselected and the
// helpers on them), so that the policy decides and the run's summary can
// tell an asked-for skip from a missing dependency; the corpus is found by
// internal/testcorpus, never at a fixed absolute path.
func TestNoAdHocSkips(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	self, _ := filepath.Abs(".")
	fset := token.NewFileSet()
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor" || d.Name() == "out") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != root {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || filepath.Dir(path) == self {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files++
		rel, _ := filepath.Rel(root, path)
		testing := false // the file imports "testing": its Skip calls are tests' skips
		for _, im := range f.Imports {
			testing = testing || im.Path.Value == `"testing"`
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				switch sel.Sel.Name {
				case "Skip", "Skipf", "SkipNow":
					if x, ok := sel.X.(*ast.Ident); testing && ok && x.Name != "testserver" {
						t.Errorf("%s:%d: %s: a skip outside internal/testserver; use testserver.Missing, Tool, Deselected, Long, Bench or Short (docs/testing.md)",
							rel, fset.Position(n.Pos()).Line, sel.Sel.Name)
					}
				case "Getenv", "LookupEnv":
					if len(n.Args) == 1 {
						if lit, ok := n.Args[0].(*ast.BasicLit); ok && lit.Value == `"CI"` {
							t.Errorf("%s:%d: reads CI; the test policy is testserver.Strict() (docs/testing.md)", rel, fset.Position(n.Pos()).Line)
						}
					}
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING && !strings.HasPrefix(rel, filepath.Join("internal", "testcorpus")) {
					// A path (no spaces) into the corpus; messages may name it.
					if s, err := strconv.Unquote(n.Value); err == nil && strings.Contains(s, "shared/corpus") && !strings.ContainsAny(s, " \t\n") {
						t.Errorf("%s:%d: a fixed corpus path %q; use internal/testcorpus", rel, fset.Position(n.Pos()).Line, s)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("scanned %d Go files under %s: not the module", files, root)
	}
}
