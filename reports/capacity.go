package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/result"
)

// capacitySVG draws one statement's duration against table rows: the
// measured points, the fitted curve with its band (from the document's
// Curve samples) and the predicted figure at the target scale.
func capacitySVG(c result.CapacityStatement) string {
	const w, h, l, r, t, b = 480.0, 260.0, 58.0, 14.0, 26.0, 40.0
	maxRows, maxDur := float64(c.Predicted.Rows), math.Max(c.Predicted.DurationHi, c.Predicted.DurationS)
	for _, p := range c.Points {
		maxRows, maxDur = math.Max(maxRows, float64(p.Rows)), math.Max(maxDur, p.DurationS)
	}
	for _, p := range c.Curve {
		maxRows, maxDur = math.Max(maxRows, float64(p.Rows)), math.Max(maxDur, math.Max(p.HiS, p.DurationS))
	}
	minRows, minDur := maxRows, maxDur
	for _, p := range c.Points {
		minRows, minDur = math.Min(minRows, float64(p.Rows)), math.Min(minDur, p.DurationS)
	}
	for _, p := range c.Curve {
		minRows, minDur = math.Min(minRows, float64(p.Rows)), math.Min(minDur, math.Max(p.LoS, 1e-3))
	}
	x := scale{d0: 0, d1: niceMax(maxRows), r0: l, r1: w - r}
	y := scale{d0: 0, d1: niceMax(maxDur), r0: h - b, r1: t}
	xTicks, yTicks := linearTicks(x.d1, 4), linearTicks(y.d1, 4)
	logLog := minRows > 0 && minDur > 0 && maxRows/minRows > 20
	if logLog {
		// Measurements at small scales and a prediction at full scale span
		// decades: log-log keeps every point readable.
		x = scale{d0: decadeBelow(minRows), d1: decadeAbove(maxRows), r0: l, r1: w - r, log: true}
		y = scale{d0: decadeBelow(minDur), d1: decadeAbove(maxDur), r0: h - b, r1: t, log: true}
		xTicks, yTicks = decadeTicks(x.d0, x.d1), decadeTicks(y.d0, y.d1)
	}
	var s svg
	id := stmtID(c.Migration, c.Statement)
	s.raw(`<svg class="capacity" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`+"\n",
		w, h, esc("Duration against rows for "+id))
	s.raw("<title>%s</title>\n", esc(id+": "+oneLine(c.SQL)))
	s.rect(l, t, w-l-r, h-t-b, "panel", "")
	for _, v := range yTicks {
		s.line(l, y.at(v), w-r, y.at(v), "grid")
		lbl := secsAxis(v)
		if logLog {
			lbl = num(v) + "s"
		}
		s.text(l-6, y.at(v)+4, "tick", "end", lbl)
	}
	for _, v := range xTicks {
		s.line(x.at(v), h-b, x.at(v), h-b+4, "axis")
		s.text(x.at(v), h-b+16, "tick", "middle", shortNum(v))
	}
	axis := "table rows"
	if logLog {
		axis += " (log-log)"
	}
	s.text((l+w-r)/2, h-6, "axis-title", "middle", axis)
	s.text(l+4, t-8, "panel-title", "start", fmt.Sprintf("%s: %s fit, R² %.3f", id, c.Model, c.R2))
	if len(c.Curve) > 0 {
		var band, line strings.Builder
		for i, p := range c.Curve {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&band, "%s%.1f %.1f", cmd, x.at(float64(p.Rows)), y.at(p.HiS))
			fmt.Fprintf(&line, "%s%.1f %.1f", cmd, x.at(float64(p.Rows)), y.at(p.DurationS))
		}
		for i := len(c.Curve) - 1; i >= 0; i-- {
			p := c.Curve[i]
			fmt.Fprintf(&band, "L%.1f %.1f", x.at(float64(p.Rows)), y.at(p.LoS))
		}
		s.raw(`<path class="fit-band" d="%sZ"><title>prediction band</title></path>`+"\n", band.String())
		s.raw(`<path class="fit-curve" d="%s"><title>fitted %s model</title></path>`+"\n", line.String(), esc(c.Model))
	}
	for _, sp := range c.Spread {
		// Each scale's run-to-run spread: a whisker from its fastest to its
		// slowest run.
		if sp.Runs > 1 && sp.MaxS > sp.MinS && (!logLog || sp.MinS > 0) {
			s.raw(`<line class="spread" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"><title>%s</title></line>`+"\n",
				x.at(float64(sp.Rows)), y.at(sp.MinS), x.at(float64(sp.Rows)), y.at(sp.MaxS),
				esc(fmt.Sprintf("run-to-run spread at scale %s: %d runs, %s to %s (median %s)", num(sp.Scale), sp.Runs, secs(sp.MinS), secs(sp.MaxS), secs(sp.MedianS))))
		}
	}
	for _, p := range c.Points {
		s.raw(`<circle class="measured" cx="%.1f" cy="%.1f" r="4"><title>%s</title></circle>`+"\n", x.at(float64(p.Rows)), y.at(p.DurationS),
			esc(fmt.Sprintf("measured at scale %s: %s rows, %s, stall %s%s", num(p.Scale), mysqlkit.Thousands(p.Rows), secs(p.DurationS), secs(p.StallS), lagText(p.ReplicaLagS, 0, 0))))
	}
	pr := c.Predicted
	if pr.Rows > 0 {
		px := x.at(float64(pr.Rows))
		s.line(px, y.at(pr.DurationLo), px, y.at(pr.DurationHi), "predicted-range")
		s.raw(`<rect class="predicted" x="%.1f" y="%.1f" width="9" height="9" transform="rotate(45 %.1f %.1f)"><title>%s</title></rect>`+"\n",
			px-4.5, y.at(pr.DurationS)-4.5, px, y.at(pr.DurationS),
			esc(fmt.Sprintf("predicted: %s rows, %s (%s to %s)%s", mysqlkit.Thousands(pr.Rows), secs(pr.DurationS), secs(pr.DurationLo), secs(pr.DurationHi),
				lagText(pr.ReplicaLagS, pr.ReplicaLagLo, pr.ReplicaLagHi))))
	}
	s.raw("</svg>\n")
	return styled(s.String())
}

// lagText is a capacity figure's replica lag ("" without replicas), with
// its band when it has one.
func lagText(lag, lo, hi float64) string {
	switch {
	case lag <= 0:
		return ""
	case hi > 0:
		return fmt.Sprintf(", replica lag %s (%s to %s)", secs(lag), secs(lo), secs(hi))
	}
	return ", replica lag " + secs(lag)
}

func decadeBelow(v float64) float64 { return math.Pow(10, math.Floor(math.Log10(v))) }
func decadeAbove(v float64) float64 { return math.Pow(10, math.Ceil(math.Log10(v))) }

// secsAxis labels a seconds axis: 0.01s, 50s, 2m, 1h.
func secsAxis(v float64) string {
	switch {
	case v >= 3600:
		return shortNum(v/3600) + "h"
	case v >= 60:
		return shortNum(v/60) + "m"
	}
	return shortNum(v) + "s"
}
