package load

import (
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// recorder collects completed operations: per-interval summaries (one
// reused histogram pair, summarised when the interval closes, so memory
// does not grow with a histogram per interval), overall histograms, class
// counts and the op log. Safe for concurrent use.
type recorder struct {
	start   time.Time
	step    time.Duration
	isWrite []bool // by template index

	mu        sync.Mutex
	cur       int64 // index of the open interval
	curHist   [2]*hdr.Histogram
	curCounts [2]ClassCounts
	intervals []Interval
	allHist   [2]*hdr.Histogram
	allCounts [2]ClassCounts
	log       opLog
	samples   map[sampleKey]*samplePair // an error of each template and class, for the report
}

// sampleKey names a template's errors of one class.
type sampleKey struct {
	tpl   int
	class Class
}

// errorSample is one operation's error: when it was scheduled (since the
// recorder's start) and the server's words.
type errorSample struct {
	at   time.Duration
	code uint16
	msg  string
}

// samplePair keeps the first and the latest error of a template and class:
// what a report quotes as an example (the op log keeps only classes).
type samplePair struct{ first, last errorSample }

const (
	rd = 0
	wr = 1
)

func newRecorder(start time.Time, step time.Duration, tpls []Template, maxOps int) *recorder {
	r := &recorder{start: start, step: step, log: opLog{max: maxOps}}
	for _, t := range tpls {
		r.isWrite = append(r.isWrite, t.Kind.Write())
	}
	for i := range r.curHist {
		r.curHist[i] = newHist()
		r.allHist[i] = newHist()
	}
	return r
}

// record adds one completed (or failed, or canceled) operation.
func (r *recorder) record(tpl int, sched, end time.Time, c Class, err error) {
	lat := end.Sub(sched)
	if lat < 0 {
		lat = 0
	}
	w := rd
	if r.isWrite[tpl] {
		w = wr
	}
	us := lat / time.Microsecond
	if us > 1<<32-1 {
		us = 1<<32 - 1
	}
	rec := opRecord{start: int64(sched.Sub(r.start)), latUS: uint32(us), tpl: uint16(tpl), class: c}

	r.mu.Lock()
	defer r.mu.Unlock()
	r.rollTo(end)
	recordHist(r.curHist[w], lat)
	recordHist(r.allHist[w], lat)
	r.curCounts[w][c]++
	r.allCounts[w][c]++
	r.log.add(rec)
	if err != nil && c != OK && c != Canceled {
		e := errorSample{at: sched.Sub(r.start), code: errorCode(err), msg: err.Error()}
		if len(e.msg) > 300 {
			e.msg = e.msg[:300] + "…"
		}
		k := sampleKey{tpl, c}
		if r.samples == nil {
			r.samples = map[sampleKey]*samplePair{}
		}
		if p := r.samples[k]; p != nil {
			p.last = e
		} else {
			r.samples[k] = &samplePair{first: e, last: e}
		}
	}
}

// rollTo closes every interval that ended before t. Callers hold mu.
func (r *recorder) rollTo(t time.Time) {
	idx := int64(t.Sub(r.start) / r.step)
	for r.cur < idx {
		r.intervals = append(r.intervals, Interval{
			Start:  time.Duration(r.cur) * r.step,
			Writes: statsOf(r.curHist[wr], r.curCounts[wr], r.step),
			Reads:  statsOf(r.curHist[rd], r.curCounts[rd], r.step),
		})
		for i := range r.curHist {
			r.curHist[i].Reset()
			r.curCounts[i] = ClassCounts{}
		}
		r.cur++
	}
}

// view is a consistent, lock-free picture of the recorder for queries.
type view struct {
	start     time.Time
	step      time.Duration
	isWrite   []bool
	intervals []Interval
	writes    Stats
	reads     Stats
	chunks    [][]opRecord
	n         int
	lost      int64
	samples   map[sampleKey]samplePair
}

// view closes the intervals that ended before now and copies what queries
// need. Op records below n never change, so the copy shares them.
func (r *recorder) view(now time.Time) view {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rollTo(now)
	span := now.Sub(r.start)
	return view{
		start:     r.start,
		step:      r.step,
		isWrite:   r.isWrite,
		intervals: append([]Interval(nil), r.intervals...),
		writes:    statsOf(r.allHist[wr], r.allCounts[wr], span),
		reads:     statsOf(r.allHist[rd], r.allCounts[rd], span),
		chunks:    append([][]opRecord(nil), r.log.chunks...),
		n:         r.log.n,
		lost:      r.log.lost,
		samples:   copySamples(r.samples),
	}
}

func copySamples(m map[sampleKey]*samplePair) map[sampleKey]samplePair {
	c := make(map[sampleKey]samplePair, len(m))
	for k, p := range m {
		c[k] = *p
	}
	return c
}
