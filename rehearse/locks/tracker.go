package locks

import (
	"sort"
	"time"
)

// observation is one waiter in one sample.
type observation struct {
	key       waitKey
	statement string
	blockers  []Blocker
	source    string
	// since is when the waiter's statement started by the server's clock
	// (moved onto the monitor's), zero when the source cannot tell; event
	// is that statement's performance_schema event id (0: unknown).
	since time.Time
	event int64
}

type waitKey struct {
	conn          int64
	kind          Kind
	schema, table string
	lockType      string
}

// sampleTime brackets a sample: the server read its tables at some moment
// between t0 (query sent) and t1 (answer read).
type sampleTime struct{ t0, t1 time.Time }

func (s sampleTime) mid() time.Time { return s.t0.Add(s.t1.Sub(s.t0) / 2) }

type openWait struct {
	w        Wait
	lastSeen sampleTime
	since    time.Time
	event    int64
	blockers map[int64]int // conn -> index in w.Blockers
}

// ended is a wait that closed in the last observe: done[idx] may be
// refined with the server's answer about its statement's end, within
// [lo, hi] (the last sample that showed it was read after lo; the first
// that did not, before hi).
type ended struct {
	idx    int
	req    endReq
	lo, hi time.Time
}

// tracker turns samples into waits. Without the server's clock a wait
// opens at the midpoint between the previous sample of its source and the
// first one that shows it, and closes at the midpoint between the last one
// that shows it and the next; with it, a wait opens when its statement
// started and closes when that statement ended (refine), clamped to what
// the samples allow. Not safe for concurrent use.
type tracker struct {
	minSamples int
	open       map[waitKey]*openWait
	prev       map[string]sampleTime // source -> its previous sample
	done       []Wait
	blips      int
	// serverStarts and serverEnds count the waits whose start (end) came
	// from the server's clock rather than the sampling midpoints.
	serverStarts, serverEnds int
}

func newTracker(minSamples int) *tracker {
	return &tracker{minSamples: minSamples, open: map[waitKey]*openWait{}, prev: map[string]sampleTime{}}
}

// observe records one sample of source: obs are every wait the source sees
// now; waits of that source not in obs have ended and are returned for
// refine.
func (tr *tracker) observe(source string, st sampleTime, obs []observation) []ended {
	prev, hadPrev := tr.prev[source]
	if !hadPrev {
		prev = st
	}
	tr.prev[source] = st
	seen := make(map[waitKey]bool, len(obs))
	for _, o := range obs {
		seen[o.key] = true
		ow := tr.open[o.key]
		if ow == nil {
			start := prev.mid().Add(st.mid().Sub(prev.mid()) / 2)
			if !o.since.IsZero() {
				// The server's clock beats the sampling grid; the wait
				// cannot predate the previous sample, which did not show
				// it, nor follow this one.
				start = o.since
				tr.serverStarts++
				if hadPrev && start.Before(prev.t0) {
					start = prev.t0
				}
				if start.After(st.t1) {
					start = st.t1
				}
			}
			ow = &openWait{w: Wait{ConnID: o.key.conn, Statement: o.statement, Schema: o.key.schema, Table: o.key.table,
				Kind: o.key.kind, LockType: o.key.lockType, Start: start, Source: source},
				since: o.since, event: o.event, blockers: map[int64]int{}}
			tr.open[o.key] = ow
		}
		ow.lastSeen = st
		ow.w.Samples++
		if ow.w.Statement == "" {
			ow.w.Statement = o.statement
		}
		for _, b := range o.blockers {
			if i, ok := ow.blockers[b.ConnID]; ok {
				ow.w.Blockers[i].Samples++
				if b.Granted {
					ow.w.Blockers[i].Granted, ow.w.Blockers[i].LockType = true, b.LockType
				}
				continue
			}
			b.Samples = 1
			ow.blockers[b.ConnID] = len(ow.w.Blockers)
			ow.w.Blockers = append(ow.w.Blockers, b)
		}
	}
	var out []ended
	for k, ow := range tr.open {
		if ow.w.Source != source || seen[k] {
			continue
		}
		lm := ow.lastSeen.mid()
		ow.w.End = lm.Add(st.mid().Sub(lm) / 2)
		if ow.w.End.Before(ow.w.Start) {
			ow.w.End = ow.w.Start
		}
		if tr.finish(k, ow) && !ow.since.IsZero() {
			w := tr.done[len(tr.done)-1]
			var blocker int64
			if len(w.Blockers) > 0 {
				blocker = w.Blockers[0].ConnID
			}
			out = append(out, ended{idx: len(tr.done) - 1, req: endReq{conn: k.conn, since: ow.since, event: ow.event, blocker: blocker},
				lo: ow.lastSeen.t0, hi: st.t1})
		}
	}
	return out
}

// refine moves the ends of waits closed by observe to when the server
// says they ended: when the waiter's statement ended, else when its
// blocker's statement ended (releasing the lock) within the wait's
// bracket, else no later than the waiter's next statement started.
func (tr *tracker) refine(es []ended, info endInfo) {
	for _, e := range es {
		w := &tr.done[e.idx]
		a, ok := info.own[e.req.conn]
		if !ok || !a.exact {
			for _, r := range info.released[e.req.blocker] {
				if !r.Before(e.lo) && !r.After(e.hi) && !r.Before(w.Start) {
					a, ok = endAns{at: r, exact: true}, true
					break
				}
			}
		}
		if !ok {
			continue
		}
		at := a.at
		if at.Before(e.lo) {
			at = e.lo
		}
		if at.After(e.hi) {
			at = e.hi
		}
		if at.Before(w.Start) {
			at = w.Start
		}
		if a.exact || at.Before(w.End) {
			w.End = at
			tr.serverEnds++
		}
	}
}

// finish closes a wait; it reports whether the wait was kept (not a blip).
func (tr *tracker) finish(k waitKey, ow *openWait) bool {
	delete(tr.open, k)
	if ow.w.Samples < tr.minSamples {
		tr.blips++
		return false
	}
	sort.SliceStable(ow.w.Blockers, func(i, j int) bool { return ow.w.Blockers[i].Samples > ow.w.Blockers[j].Samples })
	tr.done = append(tr.done, ow.w)
	return true
}

// snapshot returns the finished waits plus the open ones as of now (End =
// now, Open set) that already meet the persistence requirement.
func (tr *tracker) snapshot(now time.Time) []Wait {
	out := append([]Wait(nil), tr.done...)
	for _, ow := range tr.open {
		if ow.w.Samples < tr.minSamples {
			continue
		}
		w := ow.w
		w.Blockers = append([]Blocker(nil), w.Blockers...)
		sort.SliceStable(w.Blockers, func(i, j int) bool { return w.Blockers[i].Samples > w.Blockers[j].Samples })
		w.End, w.Open = now, true
		out = append(out, w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}
