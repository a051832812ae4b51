package main

import (
	"bytes"
	"strings"
	"testing"
)

// stream builds a `go test -json` stream from lines "ACTION TEST OUTPUT"
// of package p (TEST "-" is the package itself).
func stream(p string, lines ...string) string {
	var b strings.Builder
	for _, l := range lines {
		f := strings.SplitN(l, " ", 3)
		test := f[1]
		if test == "-" {
			test = ""
		}
		out := ""
		if len(f) == 3 {
			out = f[2] + "\n"
		}
		b.WriteString(`{"Action":"` + f[0] + `","Package":"` + p + `","Test":"` + test + `","Output":` + quote(out) + "}\n")
	}
	return b.String()
}

func quote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	s = strings.ReplaceAll(s, "\n", `\n`)
	s = strings.ReplaceAll(s, "\t", `\t`)
	return `"` + s + `"`
}

func judge(t *testing.T, in string) (bool, string) {
	t.Helper()
	var out bytes.Buffer
	s := newSummary(&out)
	if err := s.read(strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	s.write()
	return s.ok(), out.String()
}

const pkg = "github.com/rehearse/rehearse/rehearse/plan"

func TestSummaryPass(t *testing.T) {
	ok, out := judge(t, stream(pkg,
		"run TestA",
		"output TestA     a_test.go:10: testserver: server local-mysql-9.7 mysql 9.7.4 (started)",
		"output TestA     a_test.go:11: testserver: server local-mariadb (available)",
		"pass TestA",
		"run TestB",
		"output TestB     b_test.go:3: deselected: benchmark: REHEARSE_BENCH=1 (scripts/bench.d/plan.sh)",
		"output TestB --- SKIP: TestB (0.00s)",
		"skip TestB",
		"output - ok  \tgithub.com/rehearse/rehearse/rehearse/plan\t1.0s",
		"pass -"))
	if !ok {
		t.Fatalf("a run with an asked-for skip failed:\n%s", out)
	}
	for _, want := range []string{
		"ok  \tgithub.com/rehearse/rehearse/rehearse/plan\t1.0s",
		"skipped on request: rehearse/plan.TestB: deselected: benchmark: REHEARSE_BENCH=1 (scripts/bench.d/plan.sh)",
		"server local-mysql-9.7        mysql 9.7.4       1 packages,   1 tests",
		"server local-mariadb                            1 packages,   1 tests",
		"PASS: 1 tests passed, 0 failed in 1 packages; servers×packages: local-mariadb×1 local-mysql-9.7×1; skipped: 1 on request, 0 unexpected",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// TestSummaryUnexpectedSkip: a skip that does not come from
// testserver.Deselected (here a missing server under a lenient run, and a
// plain t.Skip) fails the run and is named.
func TestSummaryUnexpectedSkip(t *testing.T) {
	for _, reason := range []string{"missing: local-mysql-9.7: image root not built — run `make images`", "no Docker here"} {
		ok, out := judge(t, stream(pkg,
			"run TestA",
			"output TestA     a_test.go:10: "+reason,
			"output TestA --- SKIP: TestA (0.00s)",
			"skip TestA",
			"pass -"))
		if ok {
			t.Errorf("skip %q: the run passed:\n%s", reason, out)
		}
		if !strings.Contains(out, "UNEXPECTED SKIP: rehearse/plan.TestA: "+reason) || !strings.Contains(out, "skipped: 0 on request, 1 unexpected") {
			t.Errorf("skip %q not reported:\n%s", reason, out)
		}
	}
}

// TestSummaryFailure: a failing test's whole output is shown, the run
// fails and names it; a package that dies (a timeout) shows the tests
// that were running.
func TestSummaryFailure(t *testing.T) {
	ok, out := judge(t, stream(pkg,
		"run TestA",
		"output TestA === RUN   TestA",
		"output TestA     a_test.go:12: got 3, want 4",
		"output TestA --- FAIL: TestA (0.01s)",
		"fail TestA",
		"run TestA/sub",
		"output TestA/sub     a_test.go:13: a subtest failed too",
		"fail TestA/sub",
		"run TestB",
		"output TestB     b_test.go:1: still going",
		"output - panic: test timed out after 25m0s",
		"fail -"))
	if ok {
		t.Fatalf("a failing run passed:\n%s", out)
	}
	for _, want := range []string{"a_test.go:12: got 3, want 4", "FAILED: rehearse/plan.TestA", "panic: test timed out", "b_test.go:1: still going",
		"FAILED: rehearse/plan.TestA/sub", "FAILED: rehearse/plan.TestB (did not finish)", "FAIL: 0 tests passed, 2 failed in 1 packages"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestSummaryBuildFailure: a package that does not compile fails the run
// with the compiler's message.
func TestSummaryBuildFailure(t *testing.T) {
	in := `{"ImportPath":"github.com/rehearse/rehearse/rehearse/plan [github.com/rehearse/rehearse/rehearse/plan.test]","Action":"build-output","Output":"plan/x_test.go:3:1: syntax error\n"}
{"ImportPath":"github.com/rehearse/rehearse/rehearse/plan [github.com/rehearse/rehearse/rehearse/plan.test]","Action":"build-fail"}
` + stream(pkg, "output - FAIL\tgithub.com/rehearse/rehearse/rehearse/plan [build failed]") +
		`{"Action":"fail","Package":"` + pkg + `","FailedBuild":"github.com/rehearse/rehearse/rehearse/plan [github.com/rehearse/rehearse/rehearse/plan.test]"}` + "\n"
	ok, out := judge(t, in)
	if ok || !strings.Contains(out, "syntax error") || !strings.Contains(out, "(1 did not build)") || !strings.Contains(out, "FAILED: github.com/rehearse/rehearse/rehearse/plan [github.com/rehearse/rehearse/rehearse/plan.test] (build)") {
		t.Errorf("build failure: ok=%v\n%s", ok, out)
	}
}

// TestSummaryNothingRan: an empty stream is not a pass.
func TestSummaryNothingRan(t *testing.T) {
	if ok, out := judge(t, ""); ok {
		t.Errorf("an empty run passed:\n%s", out)
	}
}

// The summary names the slowest top-level tests, slowest first, from the
// stream's Elapsed: where the suite's time goes.
func TestSummarySlowest(t *testing.T) {
	in := `{"Action":"run","Package":"p","Test":"TestFast"}
{"Action":"pass","Package":"p","Test":"TestFast","Elapsed":0.5}
{"Action":"run","Package":"p","Test":"TestSlow"}
{"Action":"run","Package":"p","Test":"TestSlow/sub"}
{"Action":"pass","Package":"p","Test":"TestSlow/sub","Elapsed":90}
{"Action":"pass","Package":"p","Test":"TestSlow","Elapsed":95.25}
{"Action":"pass","Package":"p","Elapsed":96}
`
	_, out := judge(t, in)
	slow, fast := strings.Index(out, "slowest:   95.2s p.TestSlow\n"), strings.Index(out, "slowest:    0.5s p.TestFast\n")
	if slow < 0 || fast < 0 || slow > fast || strings.Contains(out, "TestSlow/sub") {
		t.Errorf("want TestSlow then TestFast listed as slowest, no subtest:\n%s", out)
	}
}
