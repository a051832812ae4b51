package run

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/datacache"
	"github.com/rehearse/rehearse/rehearse/result"
)

// TestRunFromCache: the first rehearsal with a cache keeps the filled
// datadir (phase cache) and the probe's answers, the second starts on a
// copy of it (restore, generate and probe say "from cache"), and its report is the one a rehearsal
// without the cache gives, apart from the phases and the timings.
func TestRunFromCache(t *testing.T) {
	for _, target := range testserver.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			snap := sourceSnapshot(t, target, 20000)
			set := writeMigrations(t, baseFiles())
			c := &datacache.Cache{Dir: filepath.Join(t.TempDir(), "data")}
			withCache := func(o *Options) { o.DataCache = c }
			first := rehearseRun(t, target, snap, set, withCache)
			if p := phase(first, "cache"); p.Status != "ok" || !strings.Contains(p.Detail, "kept as entry") {
				t.Errorf("first run's cache phase: %+v", p)
			}
			if p := phase(first, "generate"); p.Status != "ok" {
				t.Errorf("first run's generate phase: %+v", p)
			}
			second := rehearseRun(t, target, snap, set, withCache)
			for _, rep := range []*result.Report{first, second} {
				for _, p := range rep.Phases {
					t.Logf("%-10s %-7s %6.2fs %s", p.Name, p.Status, p.Duration, p.Detail)
				}
			}
			for _, name := range []string{"restore", "generate"} {
				p := phase(second, name)
				if p.Status != PhaseCached || !strings.Contains(p.Detail, "from cache (key ") {
					t.Errorf("second run's %s phase: %+v, want cached and from cache (key …)", name, p)
				}
			}
			// The probe's answers were kept with the entry by the first run:
			// the second takes them (and the reports below hold them equal
			// to a probe's on a plain run).
			if p := phase(second, "probe"); p.Status != PhaseCached || !strings.Contains(p.Detail, "from cache (key ") {
				t.Errorf("second run's probe phase: %+v, want cached and from cache (key …)", p)
			}
			if p := phase(second, "cache"); p.Name != "" {
				t.Errorf("second run kept the datadir again: %+v", p)
			}
			// Where the hit's time went before the load: the copy and the
			// server's start (provision), the rows' verification
			// (generate), each within its phase.
			// (The verification starts before the probe phase, cached here.)
			pr, ge := phase(second, "provision"), phase(second, "generate")
			checkParts(t, pr, `\(copied in (\S+), then started in (\S+)\)`, pr.Duration)
			checkParts(t, ge, `verified in (\S+) \(`, ge.Duration+phase(second, "probe").Duration)
			plain := rehearseRun(t, target, snap, set, nil)
			want := deterministic(plain)
			for name, rep := range map[string]*result.Report{"first (kept)": first, "second (from cache)": second} {
				if got := deterministic(rep); got != want {
					t.Errorf("%s run's report differs from a run without the cache:\n got %s\nwant %s", name, got, want)
				}
			}
		})
	}
}

// checkParts checks that p's detail names the durations pattern's groups
// capture, each above zero, summing to no more than within seconds.
func checkParts(t *testing.T, p result.Phase, pattern string, within float64) {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(p.Detail)
	if m == nil {
		t.Errorf("%s phase's detail does not match %s: %q", p.Name, pattern, p.Detail)
		return
	}
	var sum time.Duration
	for _, s := range m[1:] {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Errorf("%s phase's detail: %q is not a duration above zero (%v): %q", p.Name, s, err, p.Detail)
		}
		sum += d
	}
	// Each part is rounded to 10 ms.
	if took := time.Duration(within * float64(time.Second)); sum > took+time.Duration(len(m)-1)*10*time.Millisecond {
		t.Errorf("%s phase: its detail's parts add up to %s, more than %s: %q", p.Name, sum, took, p.Detail)
	}
}

func phase(rep *result.Report, name string) result.Phase {
	for _, p := range rep.Phases {
		if p.Name == name {
			return p
		}
	}
	return result.Phase{}
}

// deterministic is what a report says that does not depend on timing: the
// inputs, the data, every statement's algorithms and rows, the findings'
// codes, the rollback's outcome, the verdict.
func deterministic(rep *result.Report) string {
	in := rep.Inputs
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s scale %g seed %d rows %d %v|", in.Engine, in.Flavor, in.Version, in.Scale, in.Seed, in.Rows, in.TableRows)
	for _, m := range rep.Migrations {
		for _, s := range m.Statements {
			fmt.Fprintf(&b, "%s#%d %s %s/%s %s/%s %s rows=%d %s|", m.Version, s.Index, s.Algorithm, s.PredictedAlg, s.PredictedLock,
				s.VerifiedAlg, s.VerifiedLock, s.VerifyNote, s.RowsAffected, s.Status)
		}
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "%s|", f.Code)
	}
	if rep.Rollback != nil {
		fmt.Fprintf(&b, "rollback restores=%v|", rep.Rollback.Restores)
	}
	fmt.Fprintf(&b, "verdict %s", rep.Verdict)
	return b.String()
}
