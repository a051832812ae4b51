package locks

import (
	"sort"
	"time"
)

// Result is what a monitor saw.
type Result struct {
	Started time.Time `json:"started"`
	Stopped time.Time `json:"stopped"`
	// Source and RowSource name the sources used ("" RowSource: row-lock
	// waits were not sampled).
	Source    string `json:"source"`
	RowSource string `json:"row_source,omitempty"`
	// Notes say why better sources were passed over.
	Notes          []string      `json:"notes,omitempty"`
	Samples        int64         `json:"samples"`
	MeanSampleCost time.Duration `json:"mean_sample_cost"`
	// MaxSampleGap is the longest time between two metadata-lock samples:
	// wait boundaries are known within half of it (a starved client or
	// server widens it beyond Options.Interval).
	MaxSampleGap time.Duration `json:"max_sample_gap"`
	Blips        int           `json:"blips"` // waits dropped for lack of persistence
	// ServerStarts and ServerEnds count the wait boundaries taken from the
	// server's statement clock (the rest are sampling midpoints, within
	// half a sample gap of the truth). Blips are counted too.
	ServerStarts    int    `json:"server_starts"`
	ServerEnds      int    `json:"server_ends"`
	SampleErrors    int64  `json:"sample_errors"`
	LastSampleError string `json:"last_sample_error,omitempty"`
	// Waits are every wait that met the persistence requirement, by start.
	Waits []Wait `json:"waits"`
}

// WaitSummary is a session's own waiting in a time range.
type WaitSummary struct {
	Total   time.Duration // sum of its waits, clipped to the range
	Longest time.Duration // its longest single wait (not clipped)
	Waits   []Wait
	// Blockers are the sessions that made it wait, most samples first.
	Blockers []Blocker
}

// DDLWait sums the metadata-lock waits of session conn overlapping
// [from, to]: how long a DDL statement run on that connection waited for
// its lock, and who held it.
func (r *Result) DDLWait(conn int64, from, to time.Time) WaitSummary {
	var s WaitSummary
	bl := map[int64]int{}
	for _, w := range r.Waits {
		if w.ConnID != conn || w.Kind != MetadataLock || !overlaps(w, from, to) {
			continue
		}
		s.Waits = append(s.Waits, w)
		s.Total += clip(w, from, to)
		if d := w.Duration(); d > s.Longest {
			s.Longest = d
		}
		for _, b := range w.Blockers {
			if i, ok := bl[b.ConnID]; ok {
				s.Blockers[i].Samples += b.Samples
				continue
			}
			bl[b.ConnID] = len(s.Blockers)
			s.Blockers = append(s.Blockers, b)
		}
	}
	sort.SliceStable(s.Blockers, func(i, j int) bool { return s.Blockers[i].Samples > s.Blockers[j].Samples })
	return s
}

// BlockedSummary describes the sessions that waited behind one session.
type BlockedSummary struct {
	Sessions int // distinct sessions that waited behind it
	Writers  int // of which writers (write metadata lock or row lock)
	Waits    int
	// LongestStall is the longest single wait (not clipped to the range:
	// a writer that queued before the range still stalled that long).
	LongestStall time.Duration
	// Total is the blocked session-time within the range.
	Total time.Duration
	// DeepestQueue is the most sessions waiting behind it at once.
	DeepestQueue int
	Waiting      []Wait
}

// BlockedBy summarises the waits of other sessions that conn blocked —
// held a conflicting lock, or had a conflicting request queued ahead (a
// waiting ALTER blocks every later writer) — overlapping [from, to].
func (r *Result) BlockedBy(conn int64, from, to time.Time) BlockedSummary {
	return r.BlockedBySince(conn, time.Time{}, from, to)
}

// BlockedBySince is BlockedBy without the waits that began before since:
// when conn ran an earlier statement that ended at since, a writer queued
// behind that statement and still waiting when the next one starts is the
// earlier statement's stall, not this one's.
func (r *Result) BlockedBySince(conn int64, since, from, to time.Time) BlockedSummary {
	var s BlockedSummary
	sessions, writers := map[int64]bool{}, map[int64]bool{}
	type edge struct {
		t     time.Time
		delta int
	}
	var edges []edge
	for _, w := range r.Waits {
		if w.ConnID == conn || !w.BlockedBy(conn) || !overlaps(w, from, to) || w.Start.Before(since) {
			continue
		}
		s.Waiting = append(s.Waiting, w)
		s.Waits++
		sessions[w.ConnID] = true
		if w.Write() {
			writers[w.ConnID] = true
		}
		if d := w.Duration(); d > s.LongestStall {
			s.LongestStall = d
		}
		s.Total += clip(w, from, to)
		edges = append(edges, edge{w.Start, 1}, edge{w.End, -1})
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].t.Equal(edges[j].t) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].t.Before(edges[j].t)
	})
	n := 0
	for _, e := range edges {
		n += e.delta
		if n > s.DeepestQueue {
			s.DeepestQueue = n
		}
	}
	s.Sessions, s.Writers = len(sessions), len(writers)
	return s
}

// Point is one step of the waiter timeline.
type Point struct {
	T       time.Duration `json:"t"`       // since Result.Started
	Waiters int           `json:"waiters"` // sessions waiting for a metadata lock at some time in the step
	Writers int           `json:"blocked_writers"`
	Row     int           `json:"row_waiters"` // sessions waiting for a row lock
}

// Timeline counts waiting sessions per step (100 ms when step ≤ 0) from
// Started to Stopped.
func (r *Result) Timeline(step time.Duration) []Point {
	if step <= 0 {
		step = 100 * time.Millisecond
	}
	n := int(r.Stopped.Sub(r.Started)/step) + 1
	if n <= 0 {
		return nil
	}
	pts := make([]Point, n)
	for i := range pts {
		pts[i].T = time.Duration(i) * step
	}
	for _, w := range r.Waits {
		a := int(w.Start.Sub(r.Started) / step)
		b := int(w.End.Sub(r.Started) / step)
		for i := max(a, 0); i <= b && i < n; i++ {
			switch {
			case w.Kind == RowLock:
				pts[i].Row++
			default:
				pts[i].Waiters++
				if w.Write() {
					pts[i].Writers++
				}
			}
		}
	}
	return pts
}

func overlaps(w Wait, from, to time.Time) bool {
	return w.End.After(from) && w.Start.Before(to)
}

func clip(w Wait, from, to time.Time) time.Duration {
	s, e := w.Start, w.End
	if s.Before(from) {
		s = from
	}
	if e.After(to) {
		e = to
	}
	if e.Before(s) {
		return 0
	}
	return e.Sub(s)
}
