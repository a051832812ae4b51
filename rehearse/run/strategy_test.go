package run

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/load/loadtest"
)

// copyFiles is a release whose one statement copies investments on MariaDB
// 10.11 and MySQL (a column type change).
func copyFiles() map[string]string {
	files := baseFiles()
	files["000003_index.up.sql"] = "ALTER TABLE investments MODIFY amount DECIMAL(18,4) NOT NULL;\n"
	files["000003_index.down.sql"] = "ALTER TABLE investments MODIFY amount DECIMAL(14,2) NOT NULL;\n"
	return files
}

// The same table copy, native and through pt-online-schema-change, on the
// same data under the same load: the native copy blocks writers for most
// of its run; pt-osc blocks them for less than 5% of its run outside its
// cut-over, which it names (its "Swapping tables" line); both leave the
// same table. The data both start from is the same (CHECKSUM TABLE before
// the load).
func TestStrategyPTOSC(t *testing.T) {
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	for _, c := range []struct {
		target   testserver.Target
		rows     int64
		settings map[string]string // production's
		args     []string          // pt-osc's
	}{
		// MariaDB's default innodb_autoinc_lock_mode=1 makes the triggers'
		// inserts wait for each chunk (TestStrategyPTOSCHazards).
		{testserver.LocalMariaDB(), 300000, map[string]string{"innodb_autoinc_lock_mode": "2"}, []string{"--chunk-time", "0.1"}},
		// MySQL 9's explain_format=TREE makes pt-osc 3.2.1 copy in one chunk.
		{testserver.LocalMySQL(), 200000, nil, []string{"--set-vars", "explain_format=TRADITIONAL,lock_wait_timeout=60", "--chunk-time", "0.1"}},
	} {
		target := c.target
		t.Run(target.Name, func(t *testing.T) {
			testserver.Need(t, target)
			snap := sourceSnapshot(t, target, c.rows)
			set := writeMigrations(t, copyFiles())
			probe := loadtest.StartProbe(t)
			settings := c.settings
			native := rehearseRun(t, target, snap, set, func(o *Options) {
				o.Strategy = StrategyOptions{Name: StrategyNative}
				o.SkipRollback = true
				o.EngineOptions.Settings = settings
			})
			osc := rehearseRun(t, target, snap, set, func(o *Options) {
				o.Strategy = StrategyOptions{Name: StrategyPTOSC, PTOSCArgs: c.args}
				o.SkipRollback = true
				o.EngineOptions.Settings = settings
			})
			n, p := stmt(t, native, "3", 1), stmt(t, osc, "3", 1)
			t.Logf("native: %.3f s, algorithm %s, blocked %.0f%%, longest stall %.3f s, cut-over stall %.3f s", n.DurationS, n.Algorithm, 100*n.BlockedShare, n.LongestStallS, n.CutOverStallS)
			t.Logf("pt-osc: %.3f s, blocked %.1f%% (%.1f%% outside the cut-over), longest stall %.3f s, cut-over stall %.3f s\n%s", p.DurationS, 100*p.BlockedShare, 100*p.BlockedShareOutsideCutOver, p.LongestStallS, p.CutOverStallS, strings.Join(p.ToolOutput, "\n"))
			if n.Status != "ok" || p.Status != "ok" {
				t.Fatalf("native %s %q, pt-osc %s %q", n.Status, n.Error, p.Status, p.Error)
			}
			if n.Strategy != "" || p.Strategy != StrategyPTOSC || !strings.Contains(p.Tool, "pt-online-schema-change") {
				t.Fatalf("strategies %q / %q (%s), want native / pt-osc", n.Strategy, p.Strategy, p.Tool)
			}
			// The native copy: the monitor's writer waits cover most of
			// it. What they may miss is the sampling's accuracy at both
			// ends plus the test process's lateness.
			late := probe.Worst()
			slack := (2*tolerance + late).Seconds() / n.DurationS
			if n.BlockedShare < 0.9-slack {
				t.Errorf("native copy blocked writers for %.0f%% of its %.3f s run, want ≥ 90%% (less %.0f%% of measurement slack)", 100*n.BlockedShare, n.DurationS, 100*slack)
			}
			// pt-osc: the cut-over is where the tool said, inside its run.
			if p.CutOverS <= p.StartS || p.CutOverS > p.StartS+p.DurationS {
				t.Errorf("pt-osc cut-over at %.3f s, outside its run %.3f–%.3f s", p.CutOverS, p.StartS, p.StartS+p.DurationS)
			}
			if p.BlockedShareOutsideCutOver >= 0.05 {
				t.Errorf("pt-osc blocked writers for %.1f%% of its run outside the cut-over, want < 5%%", 100*p.BlockedShareOutsideCutOver)
			}
			if p.CutOverStallS > n.CutOverStallS {
				t.Errorf("pt-osc's cut-over stall %.3f s exceeds the native copy's %.3f s", p.CutOverStallS, n.CutOverStallS)
			}
			ns, ps := native.Strategy, osc.Strategy
			if ns == nil || ps == nil {
				t.Fatal("no strategy section in the reports")
			}
			if ns.Checksums["investments"] == "" || ns.Checksums["investments"] != ps.Checksums["investments"] {
				t.Errorf("checksums before the load: native %v, pt-osc %v: not the same data", ns.Checksums, ps.Checksums)
			}
			if ns.TableDigests["investments"] != ps.TableDigests["investments"] {
				t.Errorf("investments after the release differs: native %s, pt-osc %s", ns.TableDigests["investments"], ps.TableDigests["investments"])
			}
			if len(ps.Leftovers) > 0 {
				t.Errorf("pt-osc left %v", ps.Leftovers)
			}
			if len(p.StrategyNotes) > 0 {
				t.Errorf("notes %q on a server set up for pt-osc", p.StrategyNotes)
			}
			if len(ps.Applied) != 1 || !strings.Contains(ps.Applied[0], "pt-osc") {
				t.Errorf("applied %v, want 3#1 through pt-osc", ps.Applied)
			}
		})
	}
}
