package capacity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/snapshot"
)

// DefaultScales are the fractions of production rehearsed when none are
// given: a decade, in steps of about 3.
var DefaultScales = []float64{0.01, 0.03, 0.1}

// Options say what to check. Run carries the rehearsal's own options
// (snapshot, migrations, engine, load); Check overrides its Scale, skips the
// rollback and shortens the previous-app window (not what capacity asks),
// and drops injected faults (they would add waits that do not grow with rows).
type Options struct {
	Run    run.Options
	Scales []float64 // default DefaultScales
	// Repeat rehearses each scale this many times (0 = once); the fit takes
	// each statement's median per scale.
	Repeat        int
	TargetScale   float64       // default 1 (production's row counts)
	ProdFreeDisk  int64         // bytes free on production's data volume; 0 = unknown
	DeployTimeout time.Duration // 0 = none
	ProdWriteRate float64       // production's ops/s; 0 = Run.LoadRate is production's
	// ScalePool, when set, is the buffer pool (bytes) of a rehearsal at the
	// target scale: each smaller rehearsal gets the same share of it as of
	// the data (a scale model keeps memory/data constant), not less than
	// MinPool. 0 leaves the server's own buffer pool at every scale.
	ScalePool int64
	// ScaleRedo, when set, is the redo log (innodb_log_file_size, bytes) of
	// a rehearsal at the target scale, scaled like ScalePool (not less than
	// MinRedo): a copy that makes the redo log wrap at the target then
	// wraps it at every scale too. 0 leaves the server's own.
	ScaleRedo int64
	// Progress is told when each scale's rehearsal starts.
	Progress func(scale float64, i, n int)
	Log      io.Writer
}

// Errors of bad input.
var (
	ErrTargetBelow = errors.New("the target scale is not above the largest rehearsed scale")
	ErrNoStats     = errors.New("the snapshot has no row statistics")
)

// Validate checks the options before anything runs.
func (o *Options) Validate() error {
	if len(o.Scales) == 0 {
		o.Scales = append([]float64(nil), DefaultScales...)
	}
	if o.TargetScale == 0 {
		o.TargetScale = 1
	}
	sort.Float64s(o.Scales)
	for _, s := range o.Scales {
		if s <= 0 {
			return rehearse.WithHint(fmt.Errorf("scale %g: scales are positive fractions of production's row counts", s), "e.g. --scales 0.01,0.03,0.1")
		}
	}
	if top := o.Scales[len(o.Scales)-1]; o.TargetScale <= top {
		return rehearse.WithHint(fmt.Errorf("target scale %g, largest rehearsed scale %g: %w", o.TargetScale, top, ErrTargetBelow),
			"a capacity check predicts beyond what it measured: give --target-scale above every --scales value (for a scale you can afford, `rehearse run --scale %g` measures it directly)", o.TargetScale)
	}
	if o.Run.Snapshot == nil {
		return errors.New("capacity: Run.Snapshot is required")
	}
	return CheckStats(o.Run.Snapshot)
}

// CheckStats refuses a snapshot whose tables carry no row statistics: the
// scales are fractions of those row counts.
func CheckStats(snap *snapshot.Snapshot) error {
	tables := 0
	for _, sc := range snap.Schemas {
		for _, t := range sc.Tables {
			tables++
			if t.Stats.RowCount() > 0 || t.Stats.DataBytes > 16384 {
				return nil
			}
		}
	}
	return rehearse.WithHint(fmt.Errorf("%w: none of its %d tables has a row count, so there is nothing to scale from or predict", ErrNoStats, tables),
		"take the snapshot from production with statistics (`rehearse snapshot --dsn ...`; add --exact-counts for exact row counts), or give --rows table=N to `rehearse run`")
}

// Check rehearses at every scale and returns the report of the largest one
// with its Capacity section filled. The report's verdict is the capacity
// check's: fail when a finding is an error (a COPY without the disk it
// needs, an online log that overflows, a deploy timeout exceeded, a
// statement that failed), else pass.
func Check(ctx context.Context, o Options) (*result.Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	// Round-robin over the scales (1%, 3%, 10%, 1%, 3%, 10%, ...), not
	// scale by scale: on a shared machine a busy minute then slows one run
	// of every scale instead of every run of one scale, which would bend
	// the fit (issue 20).
	var reports []*result.Report
	n := max(o.Repeat, 1)
	atScale := make([][]*result.Report, len(o.Scales))
	done, planned, extra := 0, len(o.Scales)*n, 0
	for round := 0; round < n+MaxExtraRepeats; round++ {
		for i, s := range o.Scales {
			if round >= n && (n < 2 || !highSpread(atScale[i])) {
				continue
			}
			if round >= n {
				extra++
			}
			done++
			if o.Progress != nil {
				o.Progress(s, done, planned+extra)
			}
			rep, err := rehearseAt(ctx, o.withPool(s), s)
			if err != nil {
				return last(reports, rep), fmt.Errorf("rehearsal at scale %g: %w", s, err)
			}
			reports = append(reports, rep)
			atScale[i] = append(atScale[i], rep)
		}
	}
	top := atScale[len(atScale)-1] // the scales are sorted: the largest's last run
	rep := top[len(top)-1]
	c := Analyze(o.input(reports, planFor(ctx, o.Run, o.Log)))
	if extra > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("%d more run(s) than --repeat %d: a statement's runs at a scale spread more than %.0f%% (relative standard deviation), so its median needed more of them", extra, n, 100*HighSpread))
	}
	if o.ScalePool > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("buffer pool scaled with the data: %s at the target, the same share of it as of the data at each scale (at least %s, at most %s)",
			mysqlkit.Bytes(o.ScalePool), mysqlkit.Bytes(MinPool), mysqlkit.Bytes(MaxPool)))
	} else {
		c.Notes = append(c.Notes, "buffer pool not scaled: every scale ran with the server's own; a table that outgrows it only at the target can be slower than predicted")
	}
	if o.ScaleRedo > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("redo log scaled with the data: %s (%s) at the target, at least %s at each scale", mysqlkit.Bytes(o.ScaleRedo), redoVar(o.Run), mysqlkit.Bytes(MinRedo)))
	}
	attach(rep, c)
	return rep, nil
}

// Extrapolate adds a capacity section to main, a rehearsal at main's scale
// (`rehearse run --extrapolate`): it rehearses again at a tenth and at
// about a third of that scale and predicts o.TargetScale (default 1).
func Extrapolate(ctx context.Context, o Options, main *result.Report) error {
	s := main.Inputs.Scale
	if s == 0 {
		s = 1
	}
	o.Scales = []float64{s / 10, s * 0.3, s}
	if err := o.Validate(); err != nil {
		return err
	}
	reports := []*result.Report{main}
	for i, sc := range o.Scales[:2] {
		if o.Progress != nil {
			o.Progress(sc, i+1, 2)
		}
		rep, err := rehearseAt(ctx, o.withPool(sc), sc)
		if err != nil {
			return fmt.Errorf("extrapolate: rehearsal at scale %g: %w", sc, err)
		}
		reports = append(reports, rep)
	}
	c := Analyze(o.input(reports, planFor(ctx, o.Run, o.Log)))
	main.Capacity = c
	main.Findings = append(main.Findings, c.Findings...)
	if worst(c.Findings) == "error" && main.Verdict == result.Pass {
		main.Verdict = result.Fail
		main.Reason = "capacity: " + firstError(c.Findings)
	}
	return nil
}

func (o Options) input(reports []*result.Report, p *plan.Plan) Input {
	in := Input{Reports: reports, Plan: p, Snapshot: o.Run.Snapshot, TargetScale: o.TargetScale,
		ProdFreeDisk: o.ProdFreeDisk, DeployTimeout: o.DeployTimeout, ProdWriteRate: o.ProdWriteRate,
		Settings: o.Run.EngineOptions.Settings, TargetPool: o.ScalePool}
	if o.Run.PlanConfig != nil {
		in.Overrides = &o.Run.PlanConfig.Overrides
	}
	return in
}

// MinPool and MaxPool bound the buffer pool ScalePool gives a rehearsal
// (a sandbox cannot hold a tenth of a 512 GiB production pool).
var (
	MinPool int64 = 8 << 20
	MaxPool int64 = 4 << 30
)

// MinRedo is the smallest redo log ScaleRedo gives a rehearsal.
var MinRedo int64 = 4 << 20

// redoVar is the redo log's size variable: MySQL 8.0.30+ sizes it with
// innodb_redo_log_capacity, MariaDB with innodb_log_file_size.
func redoVar(ro run.Options) string {
	f := string(ro.EngineOptions.Flavor)
	if f == "" && ro.Snapshot != nil {
		f = ro.Snapshot.Source.Flavor
	}
	if f == "mysql" {
		return "innodb_redo_log_capacity"
	}
	return "innodb_log_file_size"
}

// RedoSetting is the snapshot's redo log size in bytes (0 when not captured).
func RedoSetting(ro run.Options) int64 {
	if ro.Snapshot == nil {
		return 0
	}
	var v int64
	fmt.Sscan(ro.Snapshot.Settings[redoVar(ro)], &v)
	return v
}

// withPool returns the rehearsal options for scale s with the buffer pool
// (ScalePool) and the redo log (ScaleRedo) scaled, rounded to whole MiB.
func (o Options) withPool(s float64) run.Options {
	ro := o.Run
	if o.ScalePool <= 0 && o.ScaleRedo <= 0 {
		return ro
	}
	settings := map[string]string{}
	for k, v := range ro.EngineOptions.Settings {
		settings[k] = v
	}
	share := func(v int64) int64 { return int64(float64(v)*s/o.TargetScale) >> 20 << 20 }
	if o.ScalePool > 0 {
		settings["innodb_buffer_pool_size"] = fmt.Sprint(min(max(share(o.ScalePool), MinPool), MaxPool))
	}
	if o.ScaleRedo > 0 {
		settings[redoVar(o.Run)] = fmt.Sprint(min(max(share(o.ScaleRedo), MinRedo), MaxPool))
	}
	ro.EngineOptions.Settings = settings
	return ro
}

// rehearseAt runs one capacity rehearsal.
func rehearseAt(ctx context.Context, base run.Options, scale float64) (*result.Report, error) {
	ro := base
	ro.Scale = scale
	ro.SkipRollback = true
	ro.Roundtrip = false
	ro.Injections = nil
	ro.AppCompatWindow = time.Millisecond
	ro.Gates = nil
	return run.Run(ctx, ro)
}

// planFor classifies the release without a sandbox (operation classes and
// predicted algorithms); a plan that cannot be made leaves the fit alone
// to choose the models.
func planFor(ctx context.Context, ro run.Options, log io.Writer) *plan.Plan {
	if ro.Migrations == nil {
		return nil
	}
	p, err := plan.Build(ctx, plan.Options{Snapshot: ro.Snapshot, Migrations: ro.Migrations, Schema: ro.Database, Log: io.Discard})
	if err != nil {
		if log != nil {
			fmt.Fprintf(log, "capacity: no plan (%v): models are chosen by the fit alone\n", err)
		}
		return nil
	}
	return p
}

// attach puts the capacity section on the report and makes its verdict the
// capacity check's.
func attach(rep *result.Report, c *result.Capacity) {
	rep.Capacity = c
	// The capacity findings join the report's, so the renderers that do
	// not draw the capacity section (table, Markdown, JUnit) list them.
	rep.Findings = append(rep.Findings, c.Findings...)
	rep.Gates = nil
	if rep.Verdict == result.Error {
		return
	}
	rep.Verdict, rep.Reason = result.Pass, ""
	if worst(c.Findings) == "error" {
		rep.Verdict = result.Fail
		rep.Reason = "capacity: " + firstError(c.Findings)
	}
}

func worst(fs []result.Finding) string {
	w := ""
	for _, f := range fs {
		if codes.Severity(f.Severity).Rank() < codes.Severity(w).Rank() {
			w = f.Severity
		}
	}
	return w
}

func firstError(fs []result.Finding) string {
	for _, f := range fs {
		if f.Severity == "error" {
			return f.Message
		}
	}
	return ""
}

func last(reps []*result.Report, fallback *result.Report) *result.Report {
	if fallback != nil {
		return fallback
	}
	if len(reps) > 0 {
		return reps[len(reps)-1]
	}
	return nil
}

// HighSpread is the run-to-run relative standard deviation of a
// statement's duration above which a scale is rehearsed again (up to
// MaxExtraRepeats more times): the band grows with the spread, and the
// median of more runs is steadier.
var (
	HighSpread      = 0.25
	MaxExtraRepeats = 2
)

// highSpread tells whether any statement that takes long enough to matter
// (its median above 0.2 s: below it, fixed costs and the scheduler
// dominate and do not grow with rows) spread more than HighSpread across
// the runs at one scale.
func highSpread(reps []*result.Report) bool {
	if len(reps) < 2 {
		return false
	}
	durs := map[string][]float64{}
	for _, r := range reps {
		for _, m := range r.Migrations {
			for _, st := range m.Statements {
				if st.Status != "not_run" && st.Error == "" {
					k := key(m.Version, st.Index)
					durs[k] = append(durs[k], max(st.DurationS-st.LockWaitS, 0))
				}
			}
		}
	}
	for _, d := range durs {
		g := group{ys: d}
		if g.median() >= 0.2 && g.rsd() > HighSpread {
			return true
		}
	}
	return false
}
