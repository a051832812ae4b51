package snapshot

import (
	"fmt"
	"math"
)

// scale reports tables whose row counts differ by more than ScaleRatio
// (and whose larger side has at least ScaleMinRows rows).
func (d *differ) scale(p schemaPair) {
	if p.a == nil || p.b == nil {
		return
	}
	ta, tb := tableMap(p.a), tableMap(p.b)
	for _, n := range unionKeys(ta, tb) {
		x, y := ta[n], tb[n]
		if x == nil || y == nil {
			continue
		}
		ra, rb := x.Stats.RowCount(), y.Stats.RowCount()
		big, small := max(ra, rb), min(ra, rb)
		if big < d.opts.ScaleMinRows || float64(big) < d.opts.ScaleRatio*float64(max(small, 1)) {
			continue
		}
		smaller := "{B}"
		if ra < rb {
			smaller = "{A}"
		}
		d.add(DriftScale, p.name+"."+n, "differs", humanRows(ra)+" rows", humanRows(rb)+" rows",
			"%s rows in {A} vs %s in {B} (%.0fx): %s cannot reveal lock or duration problems on this table; an ALTER that takes seconds there can block writes for minutes or hours on the larger one",
			humanRows(ra), humanRows(rb), float64(big)/math.Max(float64(small), 1), smaller)
	}
}

func humanRows(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.3gG", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.3gM", float64(n)/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.3gk", float64(n)/1e3)
	}
	return fmt.Sprintf("%d", n)
}
