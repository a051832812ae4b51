package migrations

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeDir makes a migrations folder from name -> content.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustLoad(t *testing.T, dir, format string) *Set {
	t.Helper()
	s, err := Load(context.Background(), Options{Dir: dir, Format: format})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return s
}

// loadErr loads and returns the LoadError's problems (failing otherwise).
func loadErr(t *testing.T, dir, format string) []Problem {
	t.Helper()
	_, err := Load(context.Background(), Options{Dir: dir, Format: format})
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("want a LoadError, got %v", err)
	}
	return le.Problems
}

func keys(s *Set) string {
	var out []string
	for _, m := range s.Migrations {
		out = append(out, m.Key)
	}
	return strings.Join(out, " ")
}

func texts(sc *Script) []string {
	if sc == nil {
		return nil
	}
	var out []string
	for _, st := range sc.Statements {
		out = append(out, st.Text)
	}
	return out
}

func hasProblem(ps []Problem, code, file string, line int) bool {
	for _, p := range ps {
		if p.Code == code && p.File == file && (line == 0 || p.Line == line) {
			return true
		}
	}
	return false
}
