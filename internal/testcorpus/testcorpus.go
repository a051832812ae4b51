// Package testcorpus finds the shared corpus of real third-party test data
// (Mattermost and Authelia migrations, the employees and sakila schemas):
// ../shared/corpus beside the repository, never copied into it. Under the
// test policy (docs/testing.md, internal/testserver) a test whose corpus
// is absent fails under `make test` and skips under a plain `go test`.
package testcorpus

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
)

// Root is the corpus folder: ../shared/corpus from the module root (the
// folder holding go.mod), whether or not it exists. Tests run from their
// package's folder, so the module root is found by walking up to go.mod.
func Root() (string, error) {
	mod, err := testserver.ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(mod), "shared", "corpus"), nil
}

// Dir returns the path of rel inside the corpus — a folder such as
// "mattermost-mysql" or a file such as "sakila-schema/sakila-mv-schema.sql"
// — or ends the test through testserver.Missing when it is not there.
func Dir(tb testing.TB, rel string) string {
	tb.Helper()
	root, err := Root()
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(root, rel)
	if _, err := os.Stat(p); err != nil {
		testserver.Missing(tb, "corpus "+rel+" not found at "+p,
			"place the shared corpus at ../shared/corpus beside the repository")
	}
	return p
}

// File returns the contents of the corpus file rel (e.g.
// "employees-schema/objects.sql"); it ends the test like Dir when absent.
func File(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Dir(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Glob returns the corpus files matching pattern (relative to the corpus,
// e.g. "mattermost-mysql/*.sql"); none is missing corpus.
func Glob(tb testing.TB, pattern string) []string {
	tb.Helper()
	root, err := Root()
	if err != nil {
		tb.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, pattern))
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		testserver.Missing(tb, "no corpus file matches "+pattern+" in "+root,
			"place the shared corpus at ../shared/corpus beside the repository")
	}
	return files
}
