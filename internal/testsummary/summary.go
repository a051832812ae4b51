package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
)

// event is one line of `go test -json` (cmd/test2json's TestEvent) or of
// the build's JSON (BuildEvent: ImportPath, build-output, build-fail).
type event struct {
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
	ImportPath  string
}

// test is what the summary keeps of one test or subtest.
type test struct {
	pkg, name string
	output    []string
	done      bool
	elapsed   float64 // seconds, when it ended
}

// skip is a skipped test and the reason its output gave.
type skip struct {
	pkg, name, reason string
	asked             bool // the reason starts with testserver.DeselectedPrefix
}

// server is one server name seen in "testserver: server" lines.
type server struct {
	version  string
	packages map[string]bool
	tests    map[string]bool
}

// summary reads a `go test -json` stream, writes the readable part of it
// (package results as they end, failing tests' output, build errors) to
// out, and judges the run.
type summary struct {
	out      io.Writer
	tests    map[string]*test // pkg + " " + name
	order    []string
	pkgs     map[string]string // package -> ok|FAIL
	build    map[string][]string
	passed   int      // top-level tests
	failedN  int      // top-level tests
	builds   int      // packages that did not build
	failed   []string // every failed test and subtest, package and build
	skips    []skip
	servers  map[string]*server
	topLevel map[string]bool
	pkgOut   map[string][]string
	started  time.Time
}

func newSummary(out io.Writer) *summary {
	return &summary{out: out, tests: map[string]*test{}, pkgs: map[string]string{}, build: map[string][]string{},
		servers: map[string]*server{}, topLevel: map[string]bool{}, pkgOut: map[string][]string{}, started: time.Now()}
}

// read consumes the stream; a line that is not JSON is printed as is (go
// vet or the go command itself may write some).
func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintln(s.out, string(line))
			continue
		}
		s.add(e)
	}
	return sc.Err()
}

func (s *summary) add(e event) {
	switch e.Action {
	case "build-output":
		s.build[e.ImportPath] = append(s.build[e.ImportPath], e.Output)
		return
	case "build-fail":
		fmt.Fprintf(s.out, "build failed: %s\n%s", e.ImportPath, strings.Join(s.build[e.ImportPath], ""))
		s.failed = append(s.failed, e.ImportPath+" (build)")
		s.builds++
		return
	}
	if e.Test == "" {
		s.packageEvent(e)
		return
	}
	key := e.Package + " " + e.Test
	t := s.tests[key]
	if t == nil {
		t = &test{pkg: e.Package, name: e.Test}
		s.tests[key] = t
		s.order = append(s.order, key)
	}
	switch e.Action {
	case "output":
		t.output = append(t.output, e.Output)
		if i := strings.Index(e.Output, testserver.ServerPrefix); i >= 0 {
			s.sawServer(e.Package, e.Test, strings.Fields(e.Output[i+len(testserver.ServerPrefix):]))
		}
	case "pass":
		t.done, t.elapsed = true, e.Elapsed
		if !strings.Contains(e.Test, "/") {
			s.passed++
			s.topLevel[key] = true
		}
	case "fail":
		t.done, t.elapsed = true, e.Elapsed
		s.failed = append(s.failed, shortPkg(e.Package)+"."+e.Test)
		if !strings.Contains(e.Test, "/") {
			s.failedN++
		}
		fmt.Fprintf(s.out, "%s", strings.Join(t.output, ""))
	case "skip":
		t.done = true
		reason := skipReason(t.output)
		s.skips = append(s.skips, skip{pkg: e.Package, name: e.Test, reason: reason,
			asked: strings.HasPrefix(reason, testserver.DeselectedPrefix)})
	}
}

// sawServer records a "testserver: server NAME [FLAVOR VERSION] (...)" line.
func (s *summary) sawServer(pkg, name string, f []string) {
	if len(f) == 0 {
		return
	}
	sv := s.servers[f[0]]
	if sv == nil {
		sv = &server{packages: map[string]bool{}, tests: map[string]bool{}}
		s.servers[f[0]] = sv
	}
	if len(f) >= 3 && !strings.HasPrefix(f[1], "(") {
		sv.version = f[1] + " " + f[2]
	}
	sv.packages[pkg] = true
	sv.tests[pkg+" "+strings.SplitN(name, "/", 2)[0]] = true
}

func (s *summary) packageEvent(e event) {
	switch e.Action {
	case "output":
		s.pkgOut[e.Package] = append(s.pkgOut[e.Package], e.Output)
		// The go command's own line for the package ("ok", "FAIL", "?").
		if strings.HasPrefix(e.Output, "ok  \t") || strings.HasPrefix(e.Output, "FAIL\t") || strings.HasPrefix(e.Output, "?   \t") {
			fmt.Fprint(s.out, e.Output)
		}
	case "pass":
		s.pkgs[e.Package] = "ok"
	case "skip": // no test files
	case "fail":
		s.pkgs[e.Package] = "FAIL"
		// Output outside any test (TestMain, a panic, a timeout) and the
		// output of tests still running when the package died.
		var extra []string
		for _, o := range s.pkgOut[e.Package] {
			if !strings.HasPrefix(o, "ok  \t") && !strings.HasPrefix(o, "FAIL\t") && o != "FAIL\n" && o != "PASS\n" {
				extra = append(extra, o)
			}
		}
		for _, k := range s.order {
			if t := s.tests[k]; t.pkg == e.Package && !t.done {
				extra = append(extra, t.output...)
				s.failed = append(s.failed, shortPkg(t.pkg)+"."+t.name+" (did not finish)")
				if !strings.Contains(t.name, "/") {
					s.failedN++
				}
			}
		}
		if len(extra) > 0 {
			fmt.Fprintf(s.out, "--- output of %s outside its finished tests:\n%s", e.Package, strings.Join(extra, ""))
		}
		if e.FailedBuild == "" && !anyFailedIn(s.failed, shortPkg(e.Package)) {
			s.failed = append(s.failed, e.Package)
		}
	}
}

func anyFailedIn(failed []string, pkg string) bool {
	for _, f := range failed {
		if strings.HasPrefix(f, pkg+".") {
			return true
		}
	}
	return false
}

// skipReason is the message of a skipped test: the last line of its output
// before "--- SKIP", without the "file.go:12: " in front.
func skipReason(output []string) string {
	lines := strings.Split(strings.Join(output, ""), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "--- SKIP") || strings.HasPrefix(l, "=== ") {
			continue
		}
		if j := strings.Index(l, ".go:"); j >= 0 {
			if k := strings.Index(l[j:], ": "); k >= 0 {
				l = l[j+k+2:]
			}
		}
		return l
	}
	return "(no reason given)"
}

// shortPkg drops the module path from a package path.
func shortPkg(p string) string {
	return strings.TrimPrefix(strings.TrimPrefix(p, "github.com/rehearse/rehearse"), "/")
}

// unexpected lists the skips nobody asked for.
func (s *summary) unexpected() []skip {
	var out []skip
	for _, k := range s.skips {
		if !k.asked {
			out = append(out, k)
		}
	}
	return out
}

// ok reports whether the run passed: no failure, no unexpected skip and at
// least one package run.
// slowestShown is how many of the slowest top-level tests the summary
// lists: where the suite's time goes (the default run must stay under 15
// minutes; docs/testing.md).
const slowestShown = 12

// slowest is the n top-level tests that took longest, slowest first.
func (s *summary) slowest(n int) []*test {
	var ts []*test
	for _, k := range s.order {
		if t := s.tests[k]; t.done && !strings.Contains(t.name, "/") && t.elapsed > 0 {
			ts = append(ts, t)
		}
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].elapsed > ts[j].elapsed })
	if len(ts) > n {
		ts = ts[:n]
	}
	return ts
}

func (s *summary) ok() bool {
	return len(s.failed) == 0 && len(s.unexpected()) == 0 && len(s.pkgs) > 0
}

// write prints the summary: skips with their reasons, servers by packages,
// failures, and one last line saying what ran and the verdict.
func (s *summary) write() {
	w := s.out
	fmt.Fprintln(w)
	fmt.Fprintln(w, "=== test summary")
	names := make([]string, 0, len(s.servers))
	for n := range s.servers {
		names = append(names, n)
	}
	sort.Strings(names)
	var cells []string
	for _, n := range names {
		sv := s.servers[n]
		fmt.Fprintf(w, "server %-22s %-16s %2d packages, %3d tests\n", n, sv.version, len(sv.packages), len(sv.tests))
		cells = append(cells, fmt.Sprintf("%s×%d", n, len(sv.packages)))
	}
	sort.Slice(s.skips, func(i, j int) bool { return s.skips[i].pkg+s.skips[i].name < s.skips[j].pkg+s.skips[j].name })
	asked := 0
	for _, k := range s.skips {
		tag := "UNEXPECTED SKIP"
		if k.asked {
			tag, asked = "skipped on request", asked+1
		}
		fmt.Fprintf(w, "%s: %s.%s: %s\n", tag, shortPkg(k.pkg), k.name, k.reason)
	}
	for _, t := range s.slowest(slowestShown) {
		fmt.Fprintf(w, "slowest: %6.1fs %s.%s\n", t.elapsed, shortPkg(t.pkg), t.name)
	}
	for _, f := range s.failed {
		fmt.Fprintf(w, "FAILED: %s\n", f)
	}
	pkgs := 0
	for _, r := range s.pkgs {
		if r == "ok" || r == "FAIL" {
			pkgs++
		}
	}
	verdict := "PASS"
	if !s.ok() {
		verdict = "FAIL"
	}
	if len(cells) == 0 {
		cells = []string{"none"}
	}
	unexpected := len(s.unexpected())
	builds := ""
	if s.builds > 0 {
		builds = fmt.Sprintf(" (%d did not build)", s.builds)
	}
	fmt.Fprintf(w, "%s: %d tests passed, %d failed in %d packages%s; servers×packages: %s; skipped: %d on request, %d unexpected; %s\n",
		verdict, s.passed, s.failedN, pkgs, builds, strings.Join(cells, " "), asked, unexpected, time.Since(s.started).Round(time.Second))
	if unexpected > 0 {
		fmt.Fprintf(w, "an unexpected skip fails the run: every skip goes through internal/testserver (docs/testing.md)\n")
	}
}
