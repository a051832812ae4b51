package capacity

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/result"
)

// noisyCopies are three runs at each of 1%, 3% and 10% of a copy costing
// 5 µs a row, each run's duration multiplied by the given factors.
func noisyCopies(f func(scale float64, k int) float64) []*result.Report {
	var reps []*result.Report
	for _, sc := range []struct {
		s    float64
		rows int64
	}{{0.01, 42000}, {0.03, 126000}, {0.1, 420000}} {
		for k := 0; k < 3; k++ {
			r := copyAt(sc.s, sc.rows)
			r.Migrations[0].Statements[0].DurationS *= f(sc.s, k)
			reps = append(reps, r)
		}
	}
	return reps
}

// R² is computed on every run, not on the medians: medians that lie on a
// line with runs that scatter up to 3.7× (the busy run of issue 20) do not
// make a fit of R² 1.000.
func TestR2OnEveryRunNotMedians(t *testing.T) {
	scatter := []float64{1, 3.7, 0.9}
	s := Analyze(Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1,
		Reports: noisyCopies(func(_ float64, k int) float64 { return scatter[k] })}).Statements[0]
	if !near(s.Predicted.DurationS, 21, 0.01) {
		t.Errorf("the medians lie on the line: predicted %g, want 21", s.Predicted.DurationS)
	}
	if s.R2 > 0.9 {
		t.Errorf("R² %g on runs that scatter 3.7×: computed on the medians?", s.R2)
	}
	if len(s.Spread) != 3 {
		t.Fatalf("spread: %+v", s.Spread)
	}
	for _, g := range s.Spread {
		if g.Runs != 3 || !near(g.MaxS/g.MinS, 3.7/0.9, 1e-6) || !near(g.SpreadPct, 100*(3.7-0.9), 0.01) || g.RSDPct <= 0 {
			t.Errorf("spread at scale %g: %+v", g.Scale, g)
		}
	}
}

// The band includes the measured run-to-run spread: the same medians with
// wider runs give a wider band, made of the fit's part and the spread's in
// quadrature; runs that agree exactly leave only the fit's part.
func TestBandIncludesRunToRunSpread(t *testing.T) {
	band := func(spread float64) result.MetricFit {
		reps := noisyCopies(func(_ float64, k int) float64 { return []float64{1 - spread, 1, 1 + spread}[k] })
		s := Analyze(Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1, Reports: reps}).Statements[0]
		return s.Fits[0]
	}
	exact, narrow, wide := band(0), band(0.1), band(0.4)
	if exact.SpreadBandPct != 0 || exact.BandPct != exact.FitBandPct {
		t.Errorf("runs that agree: %+v", exact)
	}
	if !(narrow.SpreadBandPct > 0 && wide.SpreadBandPct > 2*narrow.SpreadBandPct && wide.BandPct > narrow.BandPct) {
		t.Errorf("spread 10%%: %+v; 40%%: %+v", narrow, wide)
	}
	for _, f := range []result.MetricFit{narrow, wide} {
		if !near(f.BandPct, math.Hypot(f.FitBandPct, f.SpreadBandPct), 0.01) {
			t.Errorf("band %g is not fit %g combined with spread %g", f.BandPct, f.FitBandPct, f.SpreadBandPct)
		}
	}
	// At least the spread of one run: a run at the target varies as much.
	if sd := (math.Log(1.4) - math.Log(0.6)) / 2; wide.SpreadBandPct < 100*math.Expm1(2*sd) {
		t.Errorf("spread part %g%% below two run-to-run deviations (%g in logs)", wide.SpreadBandPct, sd)
	}
}

// The band tells the truth: with a known cost and multiplicative run-to-run
// noise (20% and 40% log-normal), a fresh run at 10× the largest scale
// falls inside the band in at least 90% of trials. The fit's error alone
// (the band before issue 20) covers much less at 40%.
func TestBandCoversAFreshRunAtTheTarget(t *testing.T) {
	for _, sigma := range []float64{0.2, 0.4} {
		rng := rand.New(rand.NewSource(20))
		noise := func() float64 { return math.Exp(sigma * rng.NormFloat64()) }
		const trials = 400
		in, fitOnly := 0, 0
		for i := 0; i < trials; i++ {
			var x, y []float64
			for _, rows := range []float64{42000, 126000, 420000} {
				for k := 0; k < 3; k++ {
					x, y = append(x, rows), append(y, (0.05+5e-6*rows)*noise())
				}
			}
			m := fitMetric(Linear, x, y, 4.2e6)
			p := m.at(4.2e6)
			truth := (0.05 + 5e-6*4.2e6) * noise()
			if lo(p, m.band) <= truth && truth <= p*(1+m.band) {
				in++
			}
			if lo(p, m.fitB) <= truth && truth <= p*(1+m.fitB) {
				fitOnly++
			}
		}
		if in < trials*9/10 {
			t.Errorf("noise %g: the band covered a fresh run at the target %d of %d times", sigma, in, trials)
		}
		t.Logf("noise %g: covered %d of %d (the fit's part alone: %d)", sigma, in, trials, fitOnly)
		if sigma == 0.4 && fitOnly >= in {
			t.Errorf("the fit's error alone covered as much (%d) as the band (%d): the spread adds nothing?", fitOnly, in)
		}
	}
}

// A prediction more than 10× beyond the largest measured row count says so
// (note, CAP007) and proposes a larger scale; 10× does not.
func TestExtrapolationBeyondTenTimesIsSaid(t *testing.T) {
	at := func(target float64) result.CapacityStatement {
		c := Analyze(Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: target,
			Reports: []*result.Report{copyAt(0.01, 42000), copyAt(0.03, 126000), copyAt(0.1, 420000)}})
		s := c.Statements[0]
		if f := find(c.Findings, codes.CapPrediction); f == nil || strings.Contains(f.Message, "extrapolates") != (s.Extrapolation > MaxReach) {
			t.Errorf("target %g: CAP007 %+v", target, f)
		}
		return s
	}
	if s := at(1); !near(s.Extrapolation, 10, 1e-9) || strings.Contains(s.Note, "extrapolates") {
		t.Errorf("10×: %g %q", s.Extrapolation, s.Note)
	}
	s := at(4)
	if !near(s.Extrapolation, 40, 1e-9) || !strings.Contains(s.Note, "extrapolates 40× beyond") || !strings.Contains(s.Note, "--scales …,0.4") {
		t.Errorf("40×: %g %q", s.Extrapolation, s.Note)
	}
}

// The largest scale ran with the 8 MiB floor instead of its 1.3 MiB share
// of a 128 MiB target pool: the prediction says its scale is not in
// production's memory regime and proposes one that is; at its share, no
// note.
func TestRegimeNoteWhenTheLargestScaleHadTheFloor(t *testing.T) {
	at := func(pool int64) string {
		var reps []*result.Report
		for _, sc := range []float64{0.001, 0.003, 0.01} {
			r := copyAt(sc, int64(sc*4200000))
			r.Migrations[0].Statements[0].Resources.BufferPool = pool
			reps = append(reps, r)
		}
		return Analyze(Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1, TargetPool: 128 << 20, Reports: reps}).Statements[0].Note
	}
	if n := at(8 << 20); !strings.Contains(n, "not in production's memory regime") || !strings.Contains(n, "--scales …,0.062") {
		t.Errorf("floor: %q", n)
	}
	if n := at(1342177); strings.Contains(n, "memory regime") {
		t.Errorf("at its share: %q", n)
	}
}
