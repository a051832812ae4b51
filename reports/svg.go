package reports

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// svg accumulates SVG markup. Coordinates are written with one decimal;
// text is escaped.
type svg struct{ b strings.Builder }

func (s *svg) raw(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func (s *svg) text(x, y float64, class, anchor, txt string) {
	s.raw(`<text x="%.1f" y="%.1f" class="%s" text-anchor="%s">%s</text>`+"\n", x, y, class, anchor, esc(txt))
}

func (s *svg) line(x1, y1, x2, y2 float64, class string) {
	s.raw(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="%s"/>`+"\n", x1, y1, x2, y2, class)
}

func (s *svg) rect(x, y, w, h float64, class, title string) {
	if title == "" {
		s.raw(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="%s"/>`+"\n", x, y, w, h, class)
		return
	}
	s.raw(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="%s"><title>%s</title></rect>`+"\n", x, y, w, h, class, esc(title))
}

func (s *svg) String() string { return s.b.String() }

func esc(s string) string { return html.EscapeString(s) }

// scale maps data values to pixels, linearly or on log10.
type scale struct {
	d0, d1 float64 // domain
	r0, r1 float64 // range (pixels)
	log    bool
}

func (sc scale) at(v float64) float64 {
	d0, d1 := sc.d0, sc.d1
	if sc.log {
		v, d0, d1 = math.Log10(math.Max(v, sc.d0)), math.Log10(d0), math.Log10(d1)
	}
	if d1 == d0 {
		return sc.r0
	}
	return sc.r0 + (v-d0)/(d1-d0)*(sc.r1-sc.r0)
}

// niceMax rounds v up to 1, 2, 2.5 or 5 times a power of ten, so axes end
// on a readable figure.
func niceMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p*1.0000001 {
			return m * p
		}
	}
	return 10 * p
}

// linearTicks returns about n ticks from 0 to max on round figures.
func linearTicks(max float64, n int) []float64 {
	if max <= 0 {
		return []float64{0}
	}
	step := niceMax(max / float64(n))
	var ts []float64
	for t := 0.0; t <= max*1.0000001; t += step {
		ts = append(ts, t)
	}
	return ts
}

// decadeTicks returns the powers of ten from lo to hi.
func decadeTicks(lo, hi float64) []float64 {
	var ts []float64
	for p := math.Pow(10, math.Floor(math.Log10(lo))); p <= hi*1.0000001; p *= 10 {
		if p >= lo*0.9999999 {
			ts = append(ts, p)
		}
	}
	return ts
}

// shortNum formats an axis figure: 1.5k, 2M, 0.25.
func shortNum(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return trimZeros(fmt.Sprintf("%.1f", v/1e6)) + "M"
	case a >= 1e3:
		return trimZeros(fmt.Sprintf("%.1f", v/1e3)) + "k"
	case a >= 1 || a == 0:
		return trimZeros(fmt.Sprintf("%.1f", v))
	}
	return trimZeros(fmt.Sprintf("%.3f", v))
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// pathOf draws a series as an SVG path. Points with ok false break the
// line. When there are more points than pixel columns, each column keeps
// its first, lowest, highest and last value, so spikes survive.
func pathOf(xs, ys []float64, ok []bool, xsc, ysc scale) string {
	var b strings.Builder
	pen := false
	emit := func(x, y float64) {
		if pen {
			fmt.Fprintf(&b, "L%.1f %.1f", x, y)
		} else {
			fmt.Fprintf(&b, "M%.1f %.1f", x, y)
			pen = true
		}
	}
	col := math.NaN()
	var first, lo, hi, last float64
	flush := func() {
		if math.IsNaN(col) {
			return
		}
		emit(col, ysc.at(first))
		if lo != first && lo != last {
			emit(col, ysc.at(lo))
		}
		if hi != first && hi != last {
			emit(col, ysc.at(hi))
		}
		if last != first {
			emit(col, ysc.at(last))
		}
		col = math.NaN()
	}
	for i := range xs {
		if !ok[i] {
			flush()
			pen = false
			continue
		}
		x := math.Round(xsc.at(xs[i]))
		if x != col {
			flush()
			col, first, lo, hi = x, ys[i], ys[i], ys[i]
		}
		lo, hi, last = math.Min(lo, ys[i]), math.Max(hi, ys[i]), ys[i]
	}
	flush()
	return b.String()
}
