package capacity

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(math.Abs(b), 1e-12) }

func TestLeastSquaresRecoversModels(t *testing.T) {
	x := []float64{42000, 126000, 420000}
	for _, model := range []string{Linear, NLogN} {
		y := make([]float64, len(x))
		for i := range x {
			y[i] = 0.05 + 3e-7*basis(model, x[i])
		}
		f := leastSquares(model, x, y)
		if !near(f.a, 0.05, 1e-6) || !near(f.b, 3e-7, 1e-6) || !near(f.r2, 1, 1e-9) {
			t.Errorf("%s: got a=%g b=%g r2=%g", model, f.a, f.b, f.r2)
		}
		if got, want := f.at(4.2e6), 0.05+3e-7*basis(model, 4.2e6); !near(got, want, 1e-6) {
			t.Errorf("%s at 4.2M: %g, want %g", model, got, want)
		}
	}
}

func TestLeastSquaresNeverNegative(t *testing.T) {
	// A falling series is no growth: constant. A negative intercept is
	// refitted through the origin.
	f := leastSquares(Linear, []float64{1, 2, 3}, []float64{3, 2, 1})
	if f.model != Constant || f.a != 2 {
		t.Errorf("falling series: %+v", f)
	}
	f = leastSquares(Linear, []float64{10, 20, 30}, []float64{0.5, 1.6, 2.4})
	if f.a != 0 || f.b <= 0 {
		t.Errorf("negative intercept kept: %+v", f)
	}
}

func TestChooseModelOverridesPlanOnlyWhenClearlyBetter(t *testing.T) {
	x := []float64{42000, 126000, 420000}
	lin := []float64{0.42, 1.26, 4.2}
	if m, _ := chooseModel(Linear, "plan", x, lin); m != Linear {
		t.Errorf("linear data, plan linear: chose %s", m)
	}
	// The plan said INSTANT (constant) but the table was copied: the fit wins.
	if m, why := chooseModel(Constant, "plan", x, lin); m != Linear && m != NLogN {
		t.Errorf("linear data, plan constant: chose %s (%s)", m, why)
	}
	// Noise around a constant stays constant.
	flat := []float64{0.031, 0.024, 0.029}
	if m, _ := chooseModel(Constant, "plan", x, flat); m != Constant {
		t.Errorf("flat data: chose %s", m)
	}
}

func TestBandWidensWithReach(t *testing.T) {
	x := []float64{1e4, 3e4, 1e5}
	if r := reach(x, 1e6); !near(r, math.Log(10)/math.Log(1e5/3e4), 1e-9) {
		t.Errorf("reach %g", r)
	}
	y := []float64{0.11, 0.29, 1.05} // noisy linear
	m := fitMetric(Linear, x, y, 1e6)
	if m.band < MinBand || m.band > 1 {
		t.Errorf("band %g", m.band)
	}
	exact := fitMetric(Linear, x, []float64{0.1, 0.3, 1.0}, 1e6)
	if want := MinBand * reach(x, 1e6); !near(exact.band, want, 1e-9) {
		t.Errorf("exact data: band %g, want the floor × reach %g", exact.band, want)
	}
}
