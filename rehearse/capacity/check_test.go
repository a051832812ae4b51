package capacity_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/internal/testsnapshot"
	"github.com/rehearse/rehearse/rehearse/capacity"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/reports"
	"github.com/rehearse/rehearse/snapshot"
)

// The seed incident's table, as production has it; the history says
// migration 1 is applied.
const sourceDDL = `
CREATE DATABASE invest;
CREATE TABLE invest.investments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id INT UNSIGNED NOT NULL,
  fund_code CHAR(8) NOT NULL,
  trade_date DATE NOT NULL,
  amount DECIMAL(14,2) NOT NULL,
  note VARCHAR(64) NULL,
  KEY idx_trade_date (trade_date)
) ENGINE=InnoDB;
CREATE TABLE invest.schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty TINYINT(1) NOT NULL);
INSERT INTO invest.schema_migrations VALUES (1, 0);
`

// sourceSnapshot captures production's schema from a real server and sets
// the investments table's row count (a schema-only capture has none).
func sourceSnapshot(t *testing.T, target testserver.Target, rows int64) *snapshot.Snapshot {
	t.Helper()
	snap := testsnapshot.Capture(t, target, sourceDDL, snapshot.CaptureOptions{Databases: []string{"invest"}})
	tb := snap.Table("invest", "investments")
	tb.Stats.Rows, tb.Stats.DataBytes, tb.Stats.AvgRowLength = rows, rows*70, 70
	return snap
}

// release writes golang-migrate files (version 2 onwards are pending).
func release(t *testing.T, ups ...string) *migrations.Set {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("1_create.up.sql", "SELECT 1;")
	write("1_create.down.sql", "SELECT 1;")
	for i, up := range ups {
		write(strings.Replace("N_change.up.sql", "N", string(rune('2'+i)), 1), up+";\n")
		write(strings.Replace("N_change.down.sql", "N", string(rune('2'+i)), 1), "SELECT 1;\n")
	}
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func baseOptions(target testserver.Target, snap *snapshot.Snapshot, set *migrations.Set) run.Options {
	return run.Options{Snapshot: snap, Migrations: set, Engine: target.Engine, EngineOptions: target.Options,
		Baseline: 500 * time.Millisecond, LoadRate: 200, Seed: 7}
}

// TestCheckMeasuresAndPredicts rehearses a copy, an index build and an
// instant change at three small scales on a real server: every statement is
// measured at every scale (disk and redo included), the copy is predicted at
// the target with a band and a disk finding that does not call it safe.
func TestCheckMeasuresAndPredicts(t *testing.T) {
	// The smallest copy takes tens of milliseconds on a quiet machine: sample
	// often enough to see its peak.
	defer func(d time.Duration) { run.ResourceInterval = d }(run.ResourceInterval)
	run.ResourceInterval = 5 * time.Millisecond
	target := testserver.LocalMariaDB()
	snap := sourceSnapshot(t, target, 4200000)
	set := release(t,
		"ALTER TABLE investments MODIFY amount DECIMAL(18,4) NOT NULL",
		"CREATE INDEX ix_fund_account ON investments (fund_code, account_id)",
		"ALTER TABLE investments ADD COLUMN settled_at DATETIME NULL")
	rep, err := capacity.Check(context.Background(), capacity.Options{
		Run: baseOptions(target, snap, set), Scales: []float64{0.005, 0.01, 0.02}, TargetScale: 0.2,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Capacity
	if c == nil || len(c.Statements) != 3 {
		t.Fatalf("capacity: %+v", c)
	}
	cp := c.Statements[0]
	if len(cp.Points) != 3 {
		t.Fatalf("copy points: %+v", cp.Points)
	}
	for _, p := range cp.Points {
		if p.Error != "" || p.DiskBytes <= 0 || p.LogBytes <= 0 || p.Rows < int64(p.Scale*4200000*0.9) {
			t.Errorf("copy at scale %g: %+v", p.Scale, p)
		}
	}
	if cp.Model != capacity.Linear || cp.Predicted.Rows != 840000 {
		t.Errorf("copy: model %s rows %d (%s; %s)", cp.Model, cp.Predicted.Rows, cp.Why, cp.Note)
	}
	largest := cp.Points[2]
	if pr := cp.Predicted; pr.DurationS <= largest.DurationS || pr.DiskBytes <= largest.DiskBytes ||
		!(pr.DurationLo < pr.DurationS && pr.DurationS < pr.DurationHi) || pr.StallS <= 0 {
		t.Errorf("copy prediction: %+v (largest measured %+v)", pr, largest)
	}
	// At a few thousand rows an index build is mostly fixed costs: any
	// model may fit, but it is measured and predicted.
	if ix := c.Statements[1]; ix.Model == capacity.None || len(ix.Points) != 3 || ix.Predicted.OnlineLogRate <= 0 {
		t.Errorf("index build: model %s (%s; %s) %+v", ix.Model, ix.Why, ix.Note, ix.Predicted)
	}
	var disk *result.Finding
	for i, f := range c.Findings {
		if f.Code == codes.CapDisk && f.Migration == cp.Migration {
			disk = &c.Findings[i]
		}
	}
	if disk == nil || disk.Severity != "warning" {
		t.Errorf("copy without --prod-free-disk must not be called safe: %+v", c.Findings)
	}
	if rep.Verdict == result.Error {
		t.Errorf("verdict %s: %s", rep.Verdict, rep.Reason)
	}
}

// TestOnlineLogOverflowPredictedThenReproduced: with a 64 KiB
// innodb_online_alter_log_max_size and a write-heavy load, the capacity
// check at 1-4% of 4.2M rows predicts that the index build overflows the
// online log at 80%; then the rehearsal at 80% fails with error 1799. (At
// 30% the predicted log, ~55 KiB, sits just under the 64 KiB limit: "may
// overflow", a warning; the target is chosen well past the limit.)
func TestOnlineLogOverflowPredictedThenReproduced(t *testing.T) {
	testserver.Long(t) // about 90 s
	target := testserver.LocalMariaDB()
	snap := sourceSnapshot(t, target, 4200000)
	set := release(t, "CREATE INDEX ix_fund_account ON investments (fund_code, account_id)")
	ro := baseOptions(target, snap, set)
	ro.EngineOptions.Settings = map[string]string{"innodb_online_alter_log_max_size": "65536", "innodb_sort_buffer_size": "65536"}
	ro.LoadRate, ro.Baseline = 2000, time.Second

	rep, err := capacity.Check(context.Background(), capacity.Options{Run: ro, Scales: []float64{0.01, 0.02, 0.04}, TargetScale: 0.8})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Capacity.Statements {
		for _, p := range s.Points {
			if p.Error != "" {
				t.Fatalf("the small scales must not overflow already: %+v", p)
			}
		}
	}
	var predicted *result.Finding
	for i, f := range rep.Capacity.Findings {
		if f.Code == codes.CapOnlineLog {
			predicted = &rep.Capacity.Findings[i]
		}
	}
	if predicted == nil || predicted.Severity != "error" || !strings.Contains(predicted.Message, "overflow") {
		t.Fatalf("no overflow predicted: %+v", rep.Capacity.Findings)
	}
	t.Logf("predicted: %s", predicted.Message)

	ro.Scale, ro.SkipRollback = 0.8, true
	full, err := run.Run(context.Background(), ro)
	if err != nil {
		t.Fatal(err)
	}
	st := full.Migrations[len(full.Migrations)-1].Statements[0]
	if st.ErrorCode != 1799 {
		t.Fatalf("at scale 0.8: error %d %q after %.1fs, want 1799", st.ErrorCode, st.Error, st.DurationS)
	}
	t.Logf("measured: %s after %.1fs", st.Error, st.DurationS)
}

// TestCheckSpreadAndReachOnARealServer: two runs at each of three small
// scales of a real copy: each scale's run-to-run spread is the measured
// runs' (fastest to slowest), the band is the fit's part combined with the
// spread's, and a target 125× beyond the largest scale is said to
// extrapolate, in the document and in every renderer.
func TestCheckSpreadAndReachOnARealServer(t *testing.T) {
	target := testserver.LocalMariaDB()
	snap := sourceSnapshot(t, target, 4200000)
	set := release(t, "ALTER TABLE investments MODIFY amount DECIMAL(18,4) NOT NULL")
	var order []float64
	rep, err := capacity.Check(context.Background(), capacity.Options{
		Run: baseOptions(target, snap, set), Scales: []float64{0.002, 0.004, 0.008}, TargetScale: 1, Repeat: 2,
		Progress: func(scale float64, _, _ int) { order = append(order, scale) },
	})
	if err != nil {
		t.Fatal(err)
	}
	// Round-robin: every scale once before any scale again.
	if len(order) < 6 || !slices.Equal(order[:6], []float64{0.002, 0.004, 0.008, 0.002, 0.004, 0.008}) {
		t.Errorf("rehearsal order %v: not round-robin over the scales", order)
	}
	cp := rep.Capacity.Statements[0]
	if len(cp.Spread) != 3 {
		t.Fatalf("points %+v spread %+v", cp.Points, cp.Spread)
	}
	// A scale whose runs spread more than capacity.HighSpread is rehearsed
	// again (at most MaxExtraRepeats times), and the document says so.
	total, extra := 0, false
	for _, sp := range cp.Spread {
		total += sp.Runs
		extra = extra || sp.Runs > 2
		if sp.Runs < 2 || sp.Runs > 2+capacity.MaxExtraRepeats || (sp.Runs > 2 && sp.RSDPct <= 0) {
			t.Errorf("runs at %d rows: %+v", sp.Rows, sp)
		}
	}
	if total != len(cp.Points) || extra != strings.Contains(strings.Join(rep.Capacity.Notes, " "), "more run(s) than --repeat") {
		t.Errorf("%d points, %d runs in the spread; notes %q", len(cp.Points), total, rep.Capacity.Notes)
	}
	for _, sp := range cp.Spread {
		var runs []float64
		for _, p := range cp.Points {
			if p.Rows == sp.Rows {
				runs = append(runs, p.DurationS)
			}
		}
		if len(runs) != sp.Runs || sp.MinS != slices.Min(runs) || sp.MaxS != slices.Max(runs) ||
			!(sp.MinS <= sp.MedianS && sp.MedianS <= sp.MaxS) {
			t.Errorf("spread at %d rows %+v, runs %v", sp.Rows, sp, runs)
		}
	}
	d := cp.Fits[0]
	if d.Metric != "duration" || d.SpreadBandPct <= 0 || d.FitBandPct <= 0 || math.Abs(d.BandPct-math.Hypot(d.FitBandPct, d.SpreadBandPct)) > 0.2 {
		t.Errorf("duration band: %+v", d)
	}
	if pr := cp.Predicted; math.Abs(pr.DurationHi/pr.DurationS-1-d.BandPct/100) > 0.01 {
		t.Errorf("band %+v is not ±%g%%", pr, d.BandPct)
	}
	if cp.Extrapolation < 100 || !strings.Contains(cp.Note, "extrapolates") {
		t.Errorf("extrapolation %g: %q", cp.Extrapolation, cp.Note)
	}
	for format, want := range map[string][]string{
		"table": {"spread    scale 0.002", "EXTRAPOLATES", "run-to-run spread"},
		"md":    {"spread    scale 0.002", "EXTRAPOLATES", "run-to-run spread"},
		"html":  {`class="spread"`, "Run-to-run spread", "EXTRAPOLATES"},
		"junit": {"run-to-run spread", "extrapolates"},
		"json":  {`"spread"`, `"spread_band_pct"`, `"extrapolation"`},
	} {
		var b strings.Builder
		if err := reports.Render(&b, format, rep, reports.Options{Width: 400}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		for _, w := range want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s output lacks %q", format, w)
			}
		}
	}
}
