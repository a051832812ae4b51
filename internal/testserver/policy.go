package testserver

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The test policy (docs/testing.md). scripts/test.sh — behind `make test`,
// `make test-full` and `.ci/run` — sets REHEARSE_REQUIRE=all: then anything
// a test needs (a server, an image root, a Docker image, a browser, a tool,
// the corpus) must be here, and a test that cannot have it fails with what
// to install. Without it (a plain `go test` by a developer) such a test is
// skipped with the same message. Either way a test skips silently never:
// the only other skips are the ones a person asked for (Deselected).
//
// Skip messages carry one of two prefixes, which scripts/test.sh's summary
// (internal/testsummary) reads: MissingPrefix (a skip the policy allowed
// only because REHEARSE_REQUIRE is unset) and DeselectedPrefix (a person
// asked for less). Under `make test` any other skip fails the run.
const (
	RequireEnv       = "REHEARSE_REQUIRE"
	MissingPrefix    = "missing: "
	DeselectedPrefix = "deselected: "
)

// Strict reports whether this run requires everything a test needs
// (REHEARSE_REQUIRE=all, set by scripts/test.sh). The one reader of the
// policy: tests never look at CI or REHEARSE_REQUIRE themselves.
func Strict() bool { return os.Getenv(RequireEnv) == "all" }

// Missing ends a test that needs what (a server, a tool, a folder) this
// machine lacks: under Strict it fails, else it skips; both say what is
// missing and install (how to get it: a package, a make target).
func Missing(tb testing.TB, what, install string) {
	tb.Helper()
	if Strict() {
		tb.Fatalf("%s%s — %s (%s=all: everything a test needs must be installed; see docs/testing.md)", MissingPrefix, what, install, RequireEnv)
	}
	tb.Skipf("%s%s — %s", MissingPrefix, what, install)
}

// Tool returns the path of the executable name, or ends the test through
// Missing saying which Debian package provides it.
func Tool(tb testing.TB, name, pkg string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, name+" not found on PATH", "apt-get install "+pkg+" (scripts/setup.sh installs it)")
	}
	return p
}

// Deselected skips a test a person asked not to run: -short, a test of
// the full run in the default `make test` (REHEARSE_LONG unset), a
// benchmark without REHEARSE_BENCH, a fixture regenerator without its
// flag. why says how to run it.
func Deselected(tb testing.TB, why string) {
	tb.Helper()
	tb.Skip(DeselectedPrefix + why)
}

// Long deselects a test of the full run unless REHEARSE_LONG is set
// (`make test-full` and .ci/run set it; the default `make test` does not).
func Long(tb testing.TB) {
	tb.Helper()
	if !IsLong() {
		Deselected(tb, "the full run only: REHEARSE_LONG=1 (make test-full; .ci/run runs it)")
	}
}

// IsLong reports whether this is the full run (REHEARSE_LONG set), for
// tests that cover more servers or sizes in it rather than skipping.
func IsLong() bool { return os.Getenv("REHEARSE_LONG") != "" }

// Bench deselects a benchmark test unless REHEARSE_BENCH is set; script is
// the scripts/bench.d script that runs it.
func Bench(tb testing.TB, script string) {
	tb.Helper()
	if os.Getenv("REHEARSE_BENCH") == "" {
		Deselected(tb, "benchmark: REHEARSE_BENCH=1 ("+script+")")
	}
}

// Short deselects a test under -short.
func Short(tb testing.TB, what string) {
	tb.Helper()
	if testing.Short() {
		Deselected(tb, "-short: "+what)
	}
}

// ModuleRoot is the folder holding go.mod above the working directory (a
// test runs in its package's folder).
func ModuleRoot() (string, error) {
	dir, err := filepath.Abs(".")
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("no go.mod above " + dir)
		}
		dir = up
	}
}
