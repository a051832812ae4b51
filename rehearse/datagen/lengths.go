package datagen

import "github.com/rehearse/rehearse/snapshot"

// lengthDist is a string length distribution given by quantiles; sample
// interpolates the inverse CDF linearly between them.
type lengthDist struct {
	q [5]float64 // lengths at quantiles 0, .5, .9, .99, 1
}

var lengthQuantiles = [5]float64{0, 0.5, 0.9, 0.99, 1}

// newLengthDist builds the distribution from statistics, clipped to
// [lo, hi]. Without statistics it uses a plausible default for the type.
func newLengthDist(st *snapshot.LengthStats, t colType, lo, hi int64) (lengthDist, bool) {
	var d lengthDist
	if st != nil && st.Max > 0 {
		d.q = [5]float64{float64(st.Min), float64(st.P50), float64(st.P90), float64(st.P99), float64(st.Max)}
		// Older captures may lack quantiles: fall back on the average.
		if st.P50 == 0 && st.Avg > 0 {
			d.q[1], d.q[2], d.q[3] = st.Avg, (st.Avg+float64(st.Max))/2, float64(st.Max)
		}
	} else {
		switch {
		case t.fixed && hi <= 64:
			d.q = [5]float64{float64(hi), float64(hi), float64(hi), float64(hi), float64(hi)}
		case t.name == "varchar" || t.name == "char" || t.name == "varbinary" || t.name == "binary":
			d.q = [5]float64{1, 12, 24, 40, 64}
		default: // TEXT / BLOB
			d.q = [5]float64{10, 80, 300, 1000, 2000}
		}
	}
	for i := range d.q {
		d.q[i] = max(float64(lo), min(float64(hi), d.q[i]))
		if i > 0 && d.q[i] < d.q[i-1] {
			d.q[i] = d.q[i-1]
		}
	}
	return d, st != nil && st.Max > 0
}

// sample maps u in [0,1) to a length.
func (d *lengthDist) sample(u float64) int64 {
	for i := 1; i < len(lengthQuantiles); i++ {
		if u <= lengthQuantiles[i] {
			a, b := lengthQuantiles[i-1], lengthQuantiles[i]
			f := (u - a) / (b - a)
			return int64(d.q[i-1] + f*(d.q[i]-d.q[i-1]) + 0.5)
		}
	}
	return int64(d.q[4])
}

func (d *lengthDist) max() int64 { return int64(d.q[4]) }

// clip bounds every quantile to [lo, hi].
func (d *lengthDist) clip(lo, hi int64) {
	for i := range d.q {
		d.q[i] = max(float64(lo), min(float64(hi), d.q[i]))
	}
}
