package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/run"
)

// fastSet is what a default test run rehearses (on the first target, at CI
// scale, ~27 s): one lock scenario with an injected fault and one partial
// failure. (TestStoriesOnSchema covers every variant's failures and
// statuses on every target in a few seconds each.) REHEARSE_LONG=1 rehearses every
// variant of every scenario on MariaDB 10.11 and MySQL 9.7: about 3.5
// minutes per server here.
var fastSet = map[string][]string{
	"mdl-pileup":             {Unsafe},
	"half-applied-migration": {Unsafe},
}

// TestScenarios rehearses scenarios end to end with rehearse/run on real
// servers and checks each variant's expectations on its report. A scenario
// whose expectation stops holding fails here.
func TestScenarios(t *testing.T) {
	testserver.Short(t, "full rehearsals")
	long := testserver.IsLong()
	var targets []testserver.Target
	for _, tg := range testserver.Targets() {
		// The scenarios' snapshots are MariaDB 10.11's and MySQL 9.7's. A
		// 10.11 snapshot on MariaDB 11.8 does not start yet: rehearse/run
		// passes old_alter_table, which 11.x removed.
		if tg.Options.Flavor == engine.MariaDB && strings.HasPrefix(tg.Options.Version, "11.") {
			continue
		}
		targets = append(targets, tg)
	}
	if !long {
		targets = targets[:1]
	}
	for _, target := range targets {
		t.Run(target.Name, func(t *testing.T) {
			testserver.Need(t, target)
			for _, s := range All() {
				for _, v := range s.Variants {
					if !long && !contains(fastSet[s.Name], v.Name) {
						continue
					}
					t.Run(s.Name+"/"+v.Name, func(t *testing.T) { rehearseScenario(t, target, s, v.Name) })
				}
			}
		})
	}
}

func rehearseScenario(t *testing.T, target testserver.Target, s *Scenario, variant string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p, err := Prepare(ctx, s, PrepareOptions{Variant: variant, Scale: s.CIScale, Engine: target.Engine,
		EngineOptions: target.Options, TempDir: t.TempDir(), Tool: "rehearse test"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	start := time.Now()
	rep, err := run.Run(ctx, p.Options)
	if err != nil {
		if errors.Is(err, engine.ErrUnavailable) {
			testserver.Unavailable(t, target.Name, err)
		}
		t.Fatalf("rehearsal: %v", err)
	}
	failures := Check(rep, p.Expect)
	for _, f := range failures {
		t.Error(f)
	}
	if len(failures) > 0 {
		b, _ := json.MarshalIndent(rep, "", "  ")
		out := filepath.Join(t.TempDir(), "report.json")
		_ = os.WriteFile(out, b, 0o644)
		t.Logf("verdict %s (%s); report: %s", rep.Verdict, rep.Reason, string(b[:min(len(b), 4000)]))
	}
	t.Logf("%s/%s on %s %s: verdict %s in %.1fs", s.Name, variant, rep.Inputs.Flavor, rep.Inputs.Version, rep.Verdict, time.Since(start).Seconds())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
