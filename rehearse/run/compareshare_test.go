package run

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/result"
)

// A comparison measures once what is the same for every strategy: the
// second strategy's rehearsal takes the first's probe and baseline (its
// changed table's checksum and its load are the first's), runs its load
// CompareWarmup before its statement, and starts on a server started
// while the first rehearsal finished. Its statement's figures are its
// own. No server is left behind: the one started meanwhile is claimed,
// and the servers stopped in the background are gone when Compare returns.
func TestCompareShares(t *testing.T) {
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	snap := sourceSnapshot(t, target, 20000)
	set := writeMigrations(t, copyFiles())
	before := childServers(t)
	baseline := 2 * CompareWarmup
	c := rehearseCompare(t, target, snap, set, []string{StrategyNative, StrategyPTOSC}, func(o *Options) {
		o.Baseline = baseline
		o.Strategy.PTOSCArgs = []string{"--chunk-time", "0.1"}
	})
	if after := childServers(t); after != before {
		t.Errorf("%d servers started by this test process still run after Compare (%d before)", after, before)
	}
	first, second := c.Runs[0].Report, c.Runs[1].Report
	if first.Strategy == nil || second.Strategy == nil {
		t.Fatal("no strategy section in the reports")
	}
	if len(first.Strategy.Shared) != 0 {
		t.Errorf("the first rehearsal took %q from no one: want nothing shared", first.Strategy.Shared)
	}
	shared := strings.Join(second.Strategy.Shared, "\n")
	t.Logf("shared:\n%s", shared)
	for _, want := range []string{"provision: the server was started in", "probe: the native rehearsal's", "baseline: the native rehearsal's"} {
		if !strings.Contains(shared, want) {
			t.Errorf("pt-osc's rehearsal shared %q: want %q", second.Strategy.Shared, want)
		}
	}
	if p := phase(first, "baseline"); p.Status != "ok" || secs(p.Duration) < baseline {
		t.Errorf("native's baseline: %s %.3f s, want measured for %s", p.Status, p.Duration, baseline)
	}
	if p := phase(second, "baseline"); p.Status != PhaseShared || secs(p.Duration) < CompareWarmup || secs(p.Duration) >= baseline {
		t.Errorf("pt-osc's baseline: %s %.3f s, want shared with a %s warm-up", p.Status, p.Duration, CompareWarmup)
	}
	if p := phase(second, "probe"); p.Status != PhaseShared {
		t.Errorf("pt-osc's probe: %s, want shared", p.Status)
	}
	if first.Baseline == nil || second.Baseline == nil || first.Baseline.P99Ms != second.Baseline.P99Ms || first.Baseline.Ops != second.Baseline.Ops {
		t.Errorf("baselines %+v and %+v: want the first's in both", first.Baseline, second.Baseline)
	}
	n, p := stmt(t, first, "3", 1), stmt(t, second, "3", 1)
	if n.VerifiedAlg != "COPY" || p.VerifiedAlg != n.VerifiedAlg {
		t.Errorf("verified algorithms %q and %q: want the probe's COPY in both", n.VerifiedAlg, p.VerifiedAlg)
	}
	if p.During == nil || n.During == nil || p.StartS == n.StartS && p.DurationS == n.DurationS {
		t.Errorf("the statements' windows %+v and %+v: want each measured on its own", n.During, p.During)
	}
	if pr := phase(second, "provision"); !strings.Contains(pr.Detail, "while the native rehearsal finished") {
		t.Errorf("pt-osc's provision: %q, want the server started meanwhile", pr.Detail)
	}
}

// A baseline is shared only when the data and the load are the first's.
func TestSharedBaselineRefused(t *testing.T) {
	w := result.Window{P99Ms: 3}
	r := &rehearsal{
		opts:   Options{share: &compareShare{baselineFrom: StrategyNative, baseline: &w, checksums: map[string]string{"orders": "1"}, load: "x"}},
		report: &result.Report{Strategy: &result.StrategyRun{Checksums: map[string]string{"orders": "2"}}},
	}
	if ok, why := r.sharedBaseline(); ok || !strings.Contains(why, "checksums differ") {
		t.Errorf("another checksum: shared %v (%s)", ok, why)
	}
	r.report.Strategy.Checksums["orders"] = "1"
	if ok, why := r.sharedBaseline(); ok || !strings.Contains(why, "load differs") {
		t.Errorf("another load: shared %v (%s)", ok, why)
	}
	r.report.Strategy.Checksums = nil
	if ok, _ := r.sharedBaseline(); ok {
		t.Errorf("no checksums: shared")
	}
}

// childServers counts the mariadbd and mysqld processes this process
// started (the local engine's servers are its children).
func childServers(t *testing.T) int {
	t.Helper()
	// A stopped server may take a moment to be reaped by its waiter.
	time.Sleep(100 * time.Millisecond)
	dirs, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	me := os.Getpid()
	n := 0
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		comm, rest := s[open+1:end], strings.Fields(s[end+1:])
		if len(rest) < 2 || comm != "mariadbd" && comm != "mysqld" {
			continue
		}
		if ppid, _ := strconv.Atoi(rest[1]); ppid == me {
			n++
		}
	}
	return n
}
