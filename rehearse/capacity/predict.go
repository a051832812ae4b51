package capacity

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
)

// Tunables, as package vars so tests can change them.
var (
	// TimerResolution: durations below it are noise (a statement's round
	// trip, the scheduler of a busy machine), not a cost that grows.
	TimerResolution = 0.005
	// MinBand is the smallest half-width of a band, as a fraction of the
	// prediction: three measurements never prove more than that.
	MinBand = 0.10
	// MinPoints is how many distinct row counts a fit needs.
	MinPoints = 3
	// MaxReach is how far beyond the largest measured row count a
	// prediction goes before the report says it extrapolates too far.
	MaxReach = 10.0
	// curveSamples is how many points of the fitted curve the report keeps.
	curveSamples = 24
)

// metric is one fitted figure of a statement.
type metric struct {
	f     fit
	r2    float64 // on every run (r2All), not on the medians
	band  float64 // half-width at the target, fraction of the prediction
	fitB  float64 // the fit's part: forward error × reach
	noise float64 // the measured run-to-run spread propagated to the target
	gs    []group
}

func (m metric) at(x float64) float64 { return math.Max(m.f.at(x), 0) }

// fitMetric fits y against x (every run; repeats of a row count are folded
// into their median, so one slow run does not bend the fit) with the given
// model. Its band combines two errors, in quadrature: the fit's (the
// forward error, at least MinBand, widened by how far the target lies
// beyond the measurements in ratios of the measured scales) and the
// measured run-to-run spread at the scales propagated to the target
// (noiseBand).
func fitMetric(model string, x, y []float64, xt float64) metric {
	gs := groups(x, y)
	mx, my := make([]float64, len(gs)), make([]float64, len(gs))
	for i, g := range gs {
		mx[i], my[i] = g.x, g.median()
	}
	f := leastSquares(model, mx, my)
	m := metric{f: f, gs: gs, r2: r2All(f, gs)}
	m.fitB = math.Max(MinBand, forwardError(f, mx, my)) * reach(mx, xt)
	m.noise = noiseBand(f.model, gs, xt)
	m.band = math.Hypot(m.fitB, m.noise)
	return m
}

// forwardError is how well the model predicts forward: the larger of the
// error predicting the largest point from the smaller ones and the fit's
// relative residual at the largest point. Errors at the smallest
// points (back toward zero rows, where fixed costs and in-memory sorts
// dominate) say little about the target and are left out.
func forwardError(f fit, x, y []float64) float64 {
	e := extrapolationError(f.model, x, y)
	if math.IsInf(e, 0) {
		e = 0
	}
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return x[idx[i]] > x[idx[j]] })
	if i := idx[0]; y[i] != 0 {
		e = math.Max(e, math.Abs(f.at(x[i])-y[i])/math.Abs(y[i]))
	}
	// Beyond 100% the smaller runs say nothing about the larger (e.g. a sort
	// that fitted in memory there and spills to disk here): the band is
	// then as wide as the reach allows, not wider.
	return math.Min(e, 1)
}

// reach is how far the target extrapolates compared with the measured
// spread: log(target/largest) / log(largest/second largest), between 1 and 3.
func reach(x []float64, xt float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	if len(s) < 2 || s[len(s)-1] <= s[len(s)-2] || xt <= s[len(s)-1] {
		return 1
	}
	r := math.Log(xt/s[len(s)-1]) / math.Log(s[len(s)-1]/s[len(s)-2])
	return math.Min(math.Max(r, 1), 3)
}

// chooseModel picks the duration model: the plan's unless another model
// extrapolated the largest measured point at least twice as well and fits
// at least as well.
func chooseModel(pref, why string, x, y []float64) (string, string) {
	errs := map[string]float64{}
	for _, m := range []string{Constant, Linear, NLogN} {
		errs[m] = extrapolationError(m, x, y)
	}
	if pref == Constant && maxOf(y) < 1.5*minOf(y) {
		// Within noise of each other: no growth to speak of, whatever a
		// curve through three noisy points says.
		return pref, fmt.Sprintf("%s; the runs are within 50%% of each other", why)
	}
	best := pref
	for _, m := range []string{Constant, Linear, NLogN} {
		if errs[m] < errs[best] {
			best = m
		}
	}
	if best != pref && errs[pref] > MinBand && errs[best] < 0.5*errs[pref] &&
		leastSquares(best, x, y).r2 >= leastSquares(pref, x, y).r2-1e-9 {
		return best, fmt.Sprintf("%s; but the measurements follow a %s model better (it predicts the largest run within %.0f%%, the plan's model within %.0f%%)",
			why, best, 100*errs[best], 100*errs[pref])
	}
	return pref, fmt.Sprintf("%s; it predicts the largest run from the smaller ones within %.0f%%", why, 100*errs[pref])
}

// predictStatement fits one statement and predicts it at xt rows (the
// statement's table at the target scale).
func predictStatement(s *series, xt int64, target float64, a *analysis) result.CapacityStatement {
	cs := result.CapacityStatement{Migration: s.version, Statement: s.index, SQL: s.sql, Model: None}
	if s.table != "" {
		cs.Table = s.table
	}
	cs.Operation = strings.Join(opClasses(s.sp), ",")
	if s.sp != nil {
		if a := plan.Effective(s.sp); a != nil {
			cs.Algorithm = a.Algorithm
			if a.Lock != "" {
				cs.Algorithm += ", LOCK=" + a.Lock
			}
		}
	}
	for _, p := range s.points {
		cs.Points = append(cs.Points, result.CapacityPoint{Scale: p.scale, Rows: p.rows, DurationS: p.dur, StallS: p.stall,
			DiskBytes: p.disk, LogBytes: p.log, OnlineLogBytes: p.onlineLog, TableWrites: p.writes, PagesRead: p.pagesRead,
			LockWaitS: p.lockWait, Error: p.err, ErrorCode: p.code, ReplicaLagS: p.lag})
	}
	cs.Predicted.Rows = xt
	ok := s.ok()
	var x, dur, stall []float64
	distinct := map[int64]bool{}
	longest := 0.0
	replicas := len(ok) > 0
	for _, p := range ok {
		replicas = replicas && p.replicas
	}
	// Every run, for the fits (which fold repeats into medians) and R².
	var ax, adur, adisk, alog, alag []float64
	for _, p := range ok {
		ax, adur = append(ax, float64(p.rows)), append(adur, p.dur)
		adisk, alog, alag = append(adisk, float64(p.disk)), append(alog, float64(p.log)), append(alag, p.lag)
	}
	for _, p := range medians(ok) {
		distinct[p.rows] = true
		x = append(x, float64(p.rows))
		dur = append(dur, p.dur)
		stall = append(stall, p.stall)
		longest = math.Max(longest, p.dur)
	}
	switch {
	case s.table == "" || xt == 0:
		cs.Note = "no prediction: the statement's table is not known to the plan or has no rows in the snapshot, so its cost cannot be tied to production's size"
		return cs
	case len(distinct) < MinPoints:
		cs.Note = fmt.Sprintf("no prediction: measured at %d distinct row count(s) of %s; a fit needs %d (give more --scales, and scales far enough apart that the row counts differ)", len(distinct), s.table, MinPoints)
		return cs
	case longest < TimerResolution:
		cs.Note = fmt.Sprintf("no prediction: every run took less than the timer's resolution (%.0f ms), so no growth with rows can be measured; the statement is that fast at these sizes", TimerResolution*1000)
		return cs
	}
	pref, why := preferred(s.sp, ok)
	model, why := chooseModel(pref, why, x, dur)
	d := fitMetric(model, ax, adur, float64(xt))
	cs.Model, cs.R2, cs.Why = d.f.model, round3(d.r2), why
	cs.Fits = append(cs.Fits, result.MetricFit{Metric: "duration", Model: d.f.model, R2: round3(d.r2), BandPct: pct(d.band),
		FitBandPct: pct(d.fitB), SpreadBandPct: pct(d.noise)})
	cs.Spread = spreads(d.gs, ok)
	cs.Extrapolation = float64(xt) / maxOf(x)
	if n := a.regimeNote(ok, target); n != "" {
		cs.Note = joinNote(cs.Note, n)
	}
	if cs.Extrapolation > MaxReach {
		cs.Note = joinNote(cs.Note, fmt.Sprintf("the prediction extrapolates %.0f× beyond the largest measured scale (more than %.0f×): what changes with size beyond it (memory, sort passes) is not measured; rehearse a larger scale too, e.g. --scales …,%s",
			cs.Extrapolation, MaxReach, shortScale(target/MaxReach)))
	}
	pr := &cs.Predicted
	pr.DurationS = d.at(float64(xt))
	pr.DurationLo, pr.DurationHi = lo(pr.DurationS, d.band), pr.DurationS*(1+d.band)

	// Writers stall for the whole statement when it blocks them (a COPY):
	// then the stall is a share of the duration; otherwise it does not grow
	// with rows (the short exclusive phases), and the worst measured holds.
	ratio := math.Min(sum(stall)/math.Max(sum(dur), 1e-9), 1)
	if ratio >= 0.5 {
		pr.StallS = ratio * pr.DurationS
		pr.StallLo, pr.StallHi = ratio*pr.DurationLo, ratio*pr.DurationHi
		cs.Fits = append(cs.Fits, result.MetricFit{Metric: "stall", Model: "ratio", R2: cs.R2, BandPct: pct(d.band)})
	} else {
		pr.StallS = maxOf(stall)
		pr.StallLo, pr.StallHi = minOf(stall), pr.StallS*(1+MinBand)
		cs.Fits = append(cs.Fits, result.MetricFit{Metric: "stall", Model: Constant, R2: 0, BandPct: pct(MinBand)})
	}

	growth := Linear
	if d.f.model == Constant {
		growth = Constant
	}
	dk := fitMetric(growth, ax, adisk, float64(xt))
	pr.DiskBytes = int64(dk.at(float64(xt)))
	pr.DiskLo, pr.DiskHi = int64(lo(float64(pr.DiskBytes), dk.band)), int64(float64(pr.DiskBytes)*(1+dk.band))
	cs.Fits = append(cs.Fits, result.MetricFit{Metric: "disk", Model: dk.f.model, R2: round3(dk.r2), BandPct: pct(dk.band)})
	lg := fitMetric(growth, ax, alog, float64(xt))
	pr.LogBytes = int64(lg.at(float64(xt)))
	pr.LogLo, pr.LogHi = int64(lo(float64(pr.LogBytes), lg.band)), int64(float64(pr.LogBytes)*(1+lg.band))
	cs.Fits = append(cs.Fits, result.MetricFit{Metric: "log", Model: lg.f.model, R2: round3(lg.r2), BandPct: pct(lg.band)})

	// A replica replays the statement after the primary committed it: its
	// lag grows with the table as the statement's duration does, so it is
	// fitted with the duration's model (a metadata-only change: constant).
	if replicas {
		lg := fitMetric(d.f.model, ax, alag, float64(xt))
		pr.ReplicaLagS = lg.at(float64(xt))
		pr.ReplicaLagLo, pr.ReplicaLagHi = lo(pr.ReplicaLagS, lg.band), pr.ReplicaLagS*(1+lg.band)
		cs.Fits = append(cs.Fits, result.MetricFit{Metric: "replica-lag", Model: lg.f.model, R2: round3(lg.r2), BandPct: pct(lg.band)})
	}

	if online(s.sp) {
		a.onlineLog(s, &cs, ok)
	}
	cs.Curve = curve(d, x, float64(xt), target)
	return cs
}

// curve samples the duration model from the smallest measured row count to
// the target, log-spaced; the band widens from the fit's in-sample error at
// the measurements to the full band at the target.
func curve(d metric, x []float64, xt, target float64) []result.CurvePoint {
	x0 := x[0]
	for _, v := range x {
		x0 = math.Min(x0, v)
	}
	if x0 <= 0 || xt <= x0 {
		return nil
	}
	var out []result.CurvePoint
	for i := 0; i < curveSamples; i++ {
		f := float64(i) / float64(curveSamples-1)
		xi := x0 * math.Pow(xt/x0, f)
		band := MinBand/2 + (d.band-MinBand/2)*f
		v := d.at(xi)
		out = append(out, result.CurvePoint{Scale: target * xi / xt, Rows: int64(xi), DurationS: v, LoS: lo(v, band), HiS: v * (1 + band)})
	}
	return out
}

// lo is the lower end of a band: errors are multiplicative (a run twice as
// slow is as likely as one twice as fast), so the band is v÷(1+b) to
// v×(1+b) and never below zero.
func lo(v, b float64) float64 { return v / (1 + b) }

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

func minOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	m := v[0]
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
func pct(f float64) float64    { return math.Round(f*1000) / 10 }

// medians folds repeated runs of the same row count into one point, the
// median of each figure: one run on a shared machine can be off by a
// factor of two, and the median of three ignores one such run.
func medians(ps []point) []point {
	groups := map[int64][]point{}
	var order []int64
	for _, p := range ps {
		if _, ok := groups[p.rows]; !ok {
			order = append(order, p.rows)
		}
		groups[p.rows] = append(groups[p.rows], p)
	}
	var out []point
	for _, rows := range order {
		g := groups[rows]
		if len(g) == 1 {
			out = append(out, g[0])
			continue
		}
		m := g[0]
		m.dur = median(g, func(p point) float64 { return p.dur })
		m.stall = median(g, func(p point) float64 { return p.stall })
		m.disk = int64(median(g, func(p point) float64 { return float64(p.disk) }))
		m.log = int64(median(g, func(p point) float64 { return float64(p.log) }))
		m.lag = median(g, func(p point) float64 { return p.lag })
		out = append(out, m)
	}
	return out
}

func median(ps []point, f func(point) float64) float64 {
	v := make([]float64, len(ps))
	for i, p := range ps {
		v[i] = f(p)
	}
	return medianOf(v)
}

// medianOf is the median of v (v is not changed).
func medianOf(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// spreads is each measured scale's run-to-run spread of the duration.
func spreads(gs []group, ok []point) []result.CapacitySpread {
	var out []result.CapacitySpread
	for _, g := range gs {
		sp := result.CapacitySpread{Rows: int64(g.x), Runs: len(g.ys), MedianS: g.median(), MinS: minOf(g.ys), MaxS: maxOf(g.ys), RSDPct: pct(g.rsd())}
		for _, p := range ok {
			if float64(p.rows) == g.x {
				sp.Scale = p.scale
				break
			}
		}
		if sp.MedianS > 0 {
			sp.SpreadPct = pct((sp.MaxS - sp.MinS) / sp.MedianS)
		}
		out = append(out, sp)
	}
	return out
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// shortScale writes a scale to propose: 0.1, 0.25, 0.033.
func shortScale(s float64) string { return strconv.FormatFloat(s, 'g', 2, 64) }

// regimeNote warns when the largest measured scale is not in production's
// memory regime: its buffer pool was raised to the floor (MinPool), so it
// had more memory per row than production, and proposes the smallest scale
// whose share of the target's pool reaches the floor.
func (a *analysis) regimeNote(ok []point, target float64) string {
	if a.in.TargetPool <= 0 || len(ok) == 0 || target <= 0 {
		return ""
	}
	top := ok[0]
	for _, p := range ok {
		if p.rows > top.rows {
			top = p
		}
	}
	share := float64(a.in.TargetPool) * top.scale / target
	if top.pool <= 0 || float64(top.pool) <= 1.5*share {
		return ""
	}
	need := target * float64(top.pool) / float64(a.in.TargetPool)
	return fmt.Sprintf("the largest scale (%g) is not in production's memory regime: its buffer pool (%s, the sandbox's floor) is %.1f× its share of production's (%s), so its rows were read from memory more than production's will be; rehearse a scale of at least %s too (--scales …,%s)",
		top.scale, mysqlkit.Bytes(top.pool), float64(top.pool)/share, mysqlkit.Bytes(int64(share)), shortScale(need), shortScale(need))
}
