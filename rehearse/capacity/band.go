package capacity

import (
	"math"
	"sort"
)

// group is one measured row count's repeated runs of a figure.
type group struct {
	x  float64
	ys []float64
}

func (g group) median() float64 { return medianOf(g.ys) }

// rsd is the runs' relative standard deviation (sample standard deviation
// over the mean); 0 with one run or a zero mean.
func (g group) rsd() float64 {
	if len(g.ys) < 2 {
		return 0
	}
	m := mean(g.ys)
	if m <= 0 {
		return 0
	}
	ss := 0.0
	for _, y := range g.ys {
		ss += (y - m) * (y - m)
	}
	return math.Sqrt(ss/float64(len(g.ys)-1)) / m
}

// groups folds (x, y) pairs by x, in increasing x.
func groups(x, y []float64) []group {
	byX := map[float64]int{}
	var out []group
	for i := range x {
		j, ok := byX[x[i]]
		if !ok {
			j = len(out)
			byX[x[i]] = j
			out = append(out, group{x: x[i]})
		}
		out[j].ys = append(out[j].ys, y[i])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].x < out[j].x })
	return out
}

// logSD is the standard deviation of the runs' logarithms (errors of
// timing are multiplicative: a run twice as slow is as likely as one
// twice as fast); 0 with one run.
func (g group) logSD() float64 {
	if len(g.ys) < 2 {
		return 0
	}
	var ls []float64
	for _, y := range g.ys {
		if y <= 0 {
			return g.rsd()
		}
		ls = append(ls, math.Log(y))
	}
	m := mean(ls)
	ss := 0.0
	for _, l := range ls {
		ss += (l - m) * (l - m)
	}
	return math.Sqrt(ss / float64(len(ls)-1))
}

// pooledLogSD is the run-to-run spread of one run (in logs), pooled over
// the row counts that were repeated, with its degrees of freedom: three
// runs per scale estimate a spread poorly, all of them together better.
func pooledLogSD(gs []group) (sd float64, dof int) {
	ss := 0.0
	for _, g := range gs {
		if n := len(g.ys); n > 1 {
			s := g.logSD()
			ss += s * s * float64(n-1)
			dof += n - 1
		}
	}
	if dof == 0 {
		return 0, 0
	}
	return math.Sqrt(ss / float64(dof)), dof
}

// tQuantile is Student's t at 97.5% for dof degrees of freedom: a spread
// estimated from a handful of runs is itself uncertain, and the band
// widens for it (two runs at one scale say little).
func tQuantile(dof int) float64 {
	table := []float64{0, 12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20, 2.18, 2.16, 2.14, 2.13, 2.12, 2.11, 2.10, 2.09, 2.09}
	switch {
	case dof <= 0:
		return 0
	case dof < len(table):
		return table[dof]
	case dof < 30:
		return 2.06
	}
	return 1.96
}

// noiseBand is the measured run-to-run spread propagated to the target, as
// a fraction of the prediction (a 95% interval, multiplicative): the
// prediction is (nearly) linear in the medians it is fitted on, so each
// median's relative standard error (the pooled spread ÷ √runs) contributes
// in proportion to the prediction's relative sensitivity to it (far beyond
// the measurements the largest scale's median weighs most, and more than
// 1); a single run at the target then varies as much as one run did at
// the scales.
func noiseBand(model string, gs []group, xt float64) float64 {
	sd, dof := pooledLogSD(gs)
	if sd == 0 {
		return 0
	}
	x := make([]float64, len(gs))
	y := make([]float64, len(gs))
	for i, g := range gs {
		x[i], y[i] = g.x, g.median()
	}
	pred := leastSquares(model, x, y).at(xt)
	if pred <= 0 {
		return 0
	}
	variance := sd * sd // one run at the target
	for i, g := range gs {
		if len(g.ys) < 2 || y[i] <= 0 {
			continue
		}
		// The prediction's relative sensitivity to this median, by
		// perturbing it.
		d := y[i] * 1e-4
		yy := append([]float64(nil), y...)
		yy[i] += d
		w := (leastSquares(model, x, yy).at(xt) - pred) / pred / (d / y[i])
		se := sd / math.Sqrt(float64(len(g.ys)))
		variance += w * w * se * se
	}
	return math.Expm1(tQuantile(dof) * math.Sqrt(variance))
}

// r2All is the fit's coefficient of determination on every run, not on the
// medians it was fitted to: three medians of noisy runs fit any curve
// (R² 1.000) while the runs themselves scatter.
func r2All(f fit, gs []group) float64 {
	var x, y []float64
	for _, g := range gs {
		for _, v := range g.ys {
			x, y = append(x, g.x), append(y, v)
		}
	}
	if f.model == Constant {
		return r2(Constant, 0, 0, x, y, f.a)
	}
	return r2(f.model, f.a, f.b, x, y, 0)
}
