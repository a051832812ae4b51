package capacity

import "math"

// Model names (result.CapacityStatement.Model, MetricFit.Model).
const (
	Constant = "constant" // y = a: metadata-only changes
	Linear   = "linear"   // y = a + b·n: a table copy, a full scan
	NLogN    = "nlogn"    // y = a + b·n·ln n: a sort (index build)
	None     = "none"     // no prediction (see the note)
)

// basis is the growth term g(n) of a model y = a + b·g(n).
func basis(model string, n float64) float64 {
	switch model {
	case Linear:
		return n
	case NLogN:
		if n < 2 {
			return 0
		}
		return n * math.Log(n)
	}
	return 0
}

// fit is a fitted model y = a + b·g(n).
type fit struct {
	model string
	a, b  float64
	r2    float64
}

func (f fit) at(n float64) float64 { return f.a + f.b*basis(f.model, n) }

// leastSquares fits y = a + b·g(x) by ordinary least squares. A negative
// slope is no growth at all (the constant model); a negative intercept is
// refitted through the origin (a cost cannot be negative at zero rows).
func leastSquares(model string, x, y []float64) fit {
	n := float64(len(x))
	if model == Constant || len(x) < 2 {
		return fit{model: Constant, a: mean(y), r2: r2(Constant, 0, 0, x, y, mean(y))}
	}
	var sg, sy, sgg, sgy float64
	for i := range x {
		g := basis(model, x[i])
		sg += g
		sy += y[i]
		sgg += g * g
		sgy += g * y[i]
	}
	den := n*sgg - sg*sg
	if den == 0 {
		return fit{model: Constant, a: mean(y)}
	}
	b := (n*sgy - sg*sy) / den
	a := (sy - b*sg) / n
	if b < 0 {
		return fit{model: Constant, a: mean(y), r2: 0}
	}
	if a < 0 && sgg > 0 {
		a, b = 0, sgy/sgg
	}
	f := fit{model: model, a: a, b: b}
	f.r2 = r2(model, a, b, x, y, 0)
	return f
}

// r2 is the coefficient of determination of y against the model's values.
// With no variance in y it is 1 when the model reproduces y exactly.
func r2(model string, a, b float64, x, y []float64, constant float64) float64 {
	m := mean(y)
	var ssr, sst float64
	for i := range x {
		v := a + b*basis(model, x[i])
		if model == Constant {
			v = constant
		}
		ssr += (y[i] - v) * (y[i] - v)
		sst += (y[i] - m) * (y[i] - m)
	}
	if sst == 0 {
		if ssr == 0 {
			return 1
		}
		return 0
	}
	return 1 - ssr/sst
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// extrapolationError is the relative error of predicting the largest
// measured point from the smaller ones.
func extrapolationError(model string, x, y []float64) float64 {
	if len(x) < 3 {
		return math.Inf(1)
	}
	imax := 0
	for i := range x {
		if x[i] > x[imax] {
			imax = i
		}
	}
	var xs, ys []float64
	for j := range x {
		if j != imax {
			xs, ys = append(xs, x[j]), append(ys, y[j])
		}
	}
	f := leastSquares(model, xs, ys)
	if y[imax] == 0 {
		return math.Abs(f.at(x[imax]))
	}
	return math.Abs(f.at(x[imax])-y[imax]) / y[imax]
}
