package load

import (
	"iter"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Result is a finished run.
type Result struct {
	Started   time.Time // the schedule's origin; Op.Start counts from here
	Stopped   time.Time
	Rate      float64 // target ops/s
	Templates []Template
	Intervals []Interval
	Writes    Stats // every write of the run
	Reads     Stats // every read of the run
	// Behind counts the operations that were due before Stop but that no
	// connection had started: the generator did not keep its schedule
	// (too few connections for the server's latency, or a starved client).
	// They are in the figures as Canceled, with their wait until Stop.
	Behind int64

	v view
}

// Ops iterates every recorded operation in completion order.
func (r *Result) Ops() iter.Seq[Op] { return (&opLog{}).all(r.v.chunks, r.v.n) }

// OpsLost is the number of operations not kept in the op log because
// Options.MaxOps was reached (they still count in Intervals and totals).
func (r *Result) OpsLost() int64 { return r.v.lost }

// ErrorSample is an example of template tpl's errors of class c among the
// operations scheduled in [from, to): the server's error number (0 when
// the error has none) and message of the latest such error the run kept
// (the first and the latest of each template and class are kept). ok is
// false when neither falls in the window.
func (r *Result) ErrorSample(tpl int, c Class, from, to time.Time) (code uint16, msg string, ok bool) {
	p, found := r.v.samples[sampleKey{tpl, c}]
	if !found {
		return 0, "", false
	}
	lo, hi := from.Sub(r.v.start), to.Sub(r.v.start)
	for _, e := range []errorSample{p.last, p.first} {
		if e.at >= lo && e.at < hi {
			return e.code, e.msg, true
		}
	}
	return 0, "", false
}

// Window returns the statistics of the operations scheduled in [from, to).
func (r *Result) Window(from, to time.Time) WindowStats { return window(r.v, r.Templates, from, to) }

// WindowStats describe the operations scheduled within a time range.
type WindowStats struct {
	From, To time.Time
	Writes   Stats
	Reads    Stats
	// LongestStall is the write with the longest latency ("the longest
	// single stall"); its Latency is 0 when there was no write.
	LongestStall Op
	// Templates has one entry per template that ran in the window.
	Templates []TemplateStats
}

// TemplateStats are one template's figures in a window.
type TemplateStats struct {
	Template int
	Name     string // "update shop.orders"
	SQL      string
	Stats
}

// window computes WindowStats from the op log: exact, whatever the
// interval step.
func window(v view, tpls []Template, from, to time.Time) WindowStats {
	ws := WindowStats{From: from, To: to}
	lo, hi := int64(from.Sub(v.start)), int64(to.Sub(v.start))
	span := to.Sub(from)
	var hists [2]*hdr.Histogram
	var counts [2]ClassCounts
	hists[rd], hists[wr] = newHist(), newHist()
	perTpl := map[int]*tplAcc{}
	for i := 0; i < v.n; i++ {
		rec := v.chunks[i/chunkSize][i%chunkSize]
		if rec.start < lo || rec.start >= hi {
			continue
		}
		op := rec.op()
		w := rd
		if v.isWrite[op.Template] {
			w = wr
			if op.Latency > ws.LongestStall.Latency {
				ws.LongestStall = op
			}
		}
		recordHist(hists[w], op.Latency)
		counts[w][op.Class]++
		a := perTpl[op.Template]
		if a == nil {
			a = &tplAcc{h: hdr.New(histMin, histMax, 2)}
			perTpl[op.Template] = a
		}
		recordHist(a.h, op.Latency)
		a.c[op.Class]++
	}
	ws.Writes = statsOf(hists[wr], counts[wr], span)
	ws.Reads = statsOf(hists[rd], counts[rd], span)
	for i := range tpls {
		if a := perTpl[i]; a != nil {
			ws.Templates = append(ws.Templates, TemplateStats{Template: i, Name: tpls[i].Name(), SQL: tpls[i].SQL, Stats: statsOf(a.h, a.c, span)})
		}
	}
	return ws
}

type tplAcc struct {
	h *hdr.Histogram
	c ClassCounts
}
