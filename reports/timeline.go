package reports

import (
	"fmt"
	"math"

	"github.com/rehearse/rehearse/rehearse/result"
)

// Timeline chart geometry (SVG user units; the chart scales to the page).
const (
	tlWidth   = 1000.0
	tlLeft    = 64.0
	tlRight   = 16.0
	tlPhaseH  = 22.0
	tlLabelH  = 34.0
	tlPanelH  = 120.0
	tlGap     = 26.0
	tlBottomH = 62.0
)

// timelineSVG draws the rehearsal over time: a strip of phases, then three
// panels sharing the time axis (write throughput; write latency p50/p99;
// lock waiters and blocked writers), with every migration statement drawn
// as a span across the panels and every injected fault marked.
func timelineSVG(r *result.Report) string {
	tl := r.Timeline
	end := 0.0
	for _, p := range tl {
		end = math.Max(end, p.T+0.1)
	}
	for _, p := range r.Phases {
		end = math.Max(end, p.StartS+p.Duration)
	}
	if end <= 0 {
		end = 1
	}
	plotL, plotR := tlLeft, tlWidth-tlRight
	x := scale{d0: 0, d1: end, r0: plotL, r1: plotR}
	top := tlPhaseH + tlLabelH + 8
	// A fourth panel, replica lag, when the rehearsal had replicas.
	lagLane := r.Replication != nil && r.Replication.Replicas > 0
	nPanels := 3
	if lagLane {
		nPanels = 4
	}
	panels := make([]float64, nPanels)
	for i := range panels {
		panels[i] = top + float64(i)*(tlPanelH+tlGap)
	}
	bottom := panels[nPanels-1] + tlPanelH
	height := bottom + tlBottomH

	var s svg
	label0 := "write throughput, write latency, lock waiters and blocked writers"
	if lagLane {
		label0 += ", replica lag"
	}
	s.raw(`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="Timeline: %s over time, with migration statements and injected faults">`+"\n", tlWidth, height, label0)
	s.raw("<title>Rehearsal timeline</title>\n")

	// Phases strip.
	for i, p := range r.Phases {
		x0, x1 := x.at(p.StartS), x.at(p.StartS+p.Duration)
		s.rect(x0, 0, math.Max(x1-x0, 1), tlPhaseH, fmt.Sprintf("phase phase-%d phase-%s", i%2, p.Status), fmt.Sprintf("%s: %s from %s (%s)", p.Name, secs(p.Duration), secs(p.StartS), p.Status))
		if x1-x0 > float64(len(p.Name))*6.5 {
			s.text((x0+x1)/2, 15, "phase-label", "middle", p.Name)
		}
	}

	// Statement spans and injected faults, behind the series.
	stmtIdx := 0
	for _, m := range r.Migrations {
		for _, st := range m.Statements {
			if stmtStatus(st) == "not_run" {
				continue
			}
			x0, x1 := x.at(st.StartS), x.at(st.StartS+st.DurationS)
			w := math.Max(x1-x0, 2)
			cls, band := fmt.Sprintf("span span-%d", stmtIdx%2), fmt.Sprintf("span-band span-band-%d", stmtIdx%2)
			if stmtStatus(st) == "failed" {
				cls, band = "span span-failed", "span-band span-band-failed"
			}
			title := fmt.Sprintf("%s %s: %s, lock wait %s, %d writers blocked, longest stall %s\n%s",
				stmtID(m.Version, st.Index), what(st), secs(st.DurationS), secs(st.LockWaitS), st.WritersBlocked, secs(st.LongestStallS), oneLine(st.SQL))
			s.raw(`<g class="%s" data-statement="%s">`, cls, esc(stmtID(m.Version, st.Index)))
			s.rect(x0, top-4, w, bottom-top+4, band, title)
			s.raw("</g>\n")
			if w > 40 {
				s.text(x0+3, top-9, "span-label", "start", clipToWidth(stmtID(m.Version, st.Index), w))
			}
			stmtIdx++
		}
	}
	if rb := r.Rollback; rb != nil {
		for _, m := range rb.Migrations {
			for _, st := range m.Statements {
				if st.DurationS <= 0 && st.StartS <= 0 {
					continue
				}
				x0, x1 := x.at(st.StartS), x.at(st.StartS+st.DurationS)
				w := math.Max(x1-x0, 2)
				id := "down " + stmtID(m.Version, st.Index)
				title := fmt.Sprintf("%s (rollback): %s, lock wait %s, %d writers blocked, longest stall %s\n%s",
					id, secs(st.DurationS), secs(st.LockWaitS), st.WritersBlocked, secs(st.LongestStallS), oneLine(st.SQL))
				s.raw(`<g class="span span-down" data-statement="%s">`, esc(id))
				s.rect(x0, top-4, w, bottom-top+4, "span-band span-band-down", title)
				s.raw("</g>\n")
				if w > 40 {
					s.text(x0+3, top-9, "span-label", "start", clipToWidth(id, w))
				}
			}
		}
	}
	for _, in := range r.Injections {
		x0, x1 := x.at(in.StartS), x.at(in.EndS)
		s.raw(`<g class="fault" data-fault="%s">`, esc(in.Kind))
		s.rect(x0, top-4, math.Max(x1-x0, 0), bottom-top+4, "fault-band", "injected "+in.Spec)
		s.line(x0, tlPhaseH+2, x0, bottom, "fault-line")
		s.raw(`<path d="M%.1f %.1fl5 -8h-10z" class="fault-mark"><title>%s</title></path>`, x0, top-4, esc("injected "+in.Spec))
		s.raw("</g>\n")
		s.text(x0+7, tlPhaseH+14, "fault-label", "start", "⚡ injected "+in.Kind)
	}

	// Series.
	n := len(tl)
	ts := make([]float64, n)
	for i, p := range tl {
		ts[i] = p.T
	}
	series := func(f func(result.TimePoint) float64, ok func(result.TimePoint) bool) ([]float64, []bool) {
		ys, oks := make([]float64, n), make([]bool, n)
		for i, p := range tl {
			ys[i], oks[i] = f(p), ok(p)
		}
		return ys, oks
	}
	always := func(result.TimePoint) bool { return true }
	completed := func(p result.TimePoint) bool { return p.P99Ms > 0 }

	// Panel 1: throughput.
	thr, thrOK := series(func(p result.TimePoint) float64 { return p.Throughput }, always)
	y1 := panel(&s, x, panels[0], "Write throughput (ops/s)", 0, maxOf(thr, thrOK), false, shortNum)
	s.raw(`<path class="series series-throughput" d="%s"><title>write throughput, ops/s</title></path>`+"\n", pathOf(ts, thr, thrOK, x, y1))

	// Panel 2: latency.
	p99, p99OK := series(func(p result.TimePoint) float64 { return p.P99Ms }, completed)
	p50, p50OK := series(func(p result.TimePoint) float64 { return p.P50Ms }, completed)
	hi, lo := maxOf(p99, p99OK), minPositive(p50, p50OK)
	logScale := lo > 0 && hi/lo > 50
	title := "Write latency p50 / p99"
	if logScale {
		title += " (log scale)"
	}
	label := millisAxis
	if logScale {
		label = decadeMillis
	}
	y2 := panel(&s, x, panels[1], title, lo, hi, logScale, label)
	s.raw(`<path class="series series-p50" d="%s"><title>write p50, ms</title></path>`+"\n", pathOf(ts, p50, p50OK, x, y2))
	s.raw(`<path class="series series-p99" d="%s"><title>write p99, ms</title></path>`+"\n", pathOf(ts, p99, p99OK, x, y2))

	// Panel 3: waiters and blocked writers.
	wt, wtOK := series(func(p result.TimePoint) float64 { return float64(p.Waiters) }, always)
	bl, blOK := series(func(p result.TimePoint) float64 { return float64(p.Blocked) }, always)
	y3 := panel(&s, x, panels[2], "Lock waiters / blocked writers", 0, math.Max(maxOf(wt, wtOK), maxOf(bl, blOK)), false, shortNum)
	s.raw(`<path class="series series-waiters" d="%s"><title>sessions waiting for a metadata lock</title></path>`+"\n", pathOf(ts, wt, wtOK, x, y3))
	s.raw(`<path class="series series-blocked" d="%s"><title>writer sessions blocked</title></path>`+"\n", pathOf(ts, bl, blOK, x, y3))

	// Panel 4: replica lag (the largest of the replicas' heartbeat lags).
	if lagLane {
		lag, lagOK := series(func(p result.TimePoint) float64 { return p.ReplicaLagMs / 1000 }, always)
		title := fmt.Sprintf("Replica lag (s, heartbeat; %d replica(s))", r.Replication.Replicas)
		y4 := panel(&s, x, panels[3], title, 0, math.Max(maxOf(lag, lagOK), 0.1), false, shortNum)
		s.raw(`<path class="series series-replica-lag" d="%s"><title>replica lag, seconds (the largest of the replicas' heartbeat lags)</title></path>`+"\n", pathOf(ts, lag, lagOK, x, y4))
	}

	// Time axis.
	for _, t := range linearTicks(end, 10) {
		px := x.at(t)
		s.line(px, bottom, px, bottom+4, "axis")
		s.text(px, bottom+16, "tick", "middle", shortNum(t)+"s")
	}
	s.text((plotL+plotR)/2, bottom+32, "axis-title", "middle", "seconds since the rehearsal started")
	legend(&s, plotL, height-6, lagLane)
	s.raw("</svg>\n")
	return styled(s.String())
}

// panel draws one panel's frame, grid and y axis and returns its scale:
// linear from 0 to a round figure above hi, or log10 over the decades
// around lo..hi.
func panel(s *svg, x scale, top float64, title string, lo, hi float64, logScale bool, label func(float64) string) scale {
	bottom := top + tlPanelH
	s.rect(x.r0, top, x.r1-x.r0, tlPanelH, "panel", "")
	s.text(x.r0+4, top+13, "panel-title", "start", title)
	y := scale{d0: 0, d1: niceMax(hi), r0: bottom, r1: top + 18}
	ticks := linearTicks(y.d1, 3)
	if logScale {
		y.d0, y.d1, y.log = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi))), true
		ticks = decadeTicks(y.d0, y.d1)
	}
	for _, t := range ticks {
		py := y.at(t)
		s.line(x.r0, py, x.r1, py, "grid")
		s.text(x.r0-6, py+4, "tick", "end", label(t))
	}
	return y
}

// decadeMillis labels a power of ten of milliseconds: 1ms, 10ms, 1s, 100s.
func decadeMillis(v float64) string {
	if v >= 1000 {
		return shortNum(v/1000) + "s"
	}
	return shortNum(v) + "ms"
}

// millisAxis labels a latency axis.
func millisAxis(v float64) string {
	if v == 0 {
		return "0"
	}
	return millis(v)
}

func legend(s *svg, left, y float64, lagLane bool) {
	items := []struct{ class, label string }{
		{"series-throughput", "throughput"}, {"series-p50", "p50"}, {"series-p99", "p99"},
		{"series-waiters", "lock waiters"}, {"series-blocked", "blocked writers"},
	}
	if lagLane {
		items = append(items, struct{ class, label string }{"series-replica-lag", "replica lag"})
	}
	x := left
	for _, it := range items {
		s.raw(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="series %s"/>`, x, y-4, x+18, y-4, it.class)
		s.text(x+22, y, "legend", "start", it.label)
		x += 110
	}
	s.raw("\n")
}

func maxOf(ys []float64, ok []bool) float64 {
	m := 0.0
	for i, y := range ys {
		if ok[i] {
			m = math.Max(m, y)
		}
	}
	return m
}

func minPositive(ys []float64, ok []bool) float64 {
	m := math.Inf(1)
	for i, y := range ys {
		if ok[i] && y > 0 {
			m = math.Min(m, y)
		}
	}
	if math.IsInf(m, 1) {
		return 0
	}
	return m
}

// clipToWidth shortens a label to fit w user units at about 6 units a
// character.
func clipToWidth(s string, w float64) string {
	return clip(s, int(w/6.2))
}
