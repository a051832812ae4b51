package replica

import (
	"strconv"
	"strings"
	"time"
)

// Figures are one statement's replication figures on one replica.
type Figures struct {
	Replica string
	// PeakLag is the largest heartbeat lag sampled while the replica was
	// working its way to the statement (from the later of the statement's
	// start on the primary and the replica's applying the statement
	// before, until two samples after it had applied this one) and caused
	// by it: a sample counts only when the oldest heartbeat the replica
	// lacked may have been binary-logged behind the statement
	// (acknowledged after the statement's commit could have begun:
	// commitSlack); PeakAt when it was sampled.
	PeakLag time.Duration
	PeakAt  time.Time
	// CaughtUp is the time from the statement's end on the primary until
	// the replica had applied it (the primary's position read right after
	// it); Reached when. Zero Reached: not applied before the rehearsal
	// ended.
	CaughtUp time.Duration
	Reached  time.Time
	// ApplyStart/ApplyEnd bound the replica applier's own work on the
	// statement; ApplySource says how they were measured:
	// "performance_schema" (MySQL: the server's timestamps for the
	// statement's GTID), "processlist" (MariaDB: the replication thread
	// running the statement's text, to a sample), "gtid_slave_pos"
	// (MariaDB: from the replica's applying the transaction before until
	// it had applied this one, to a sample), "" when not seen (shorter
	// than a sample).
	ApplyStart, ApplyEnd time.Time
	ApplySource          string
	// Queued: writes the primary committed after the statement waited on
	// the replica until it had applied the statement (no heartbeat sent
	// after the statement's end was applied before). Only judged when the
	// apply lasted at least two samples.
	Queued bool
}

// Apply is the applier's time on the statement (0 when not seen).
func (f Figures) Apply() time.Duration {
	if f.ApplyStart.IsZero() || f.ApplyEnd.IsZero() || f.ApplyEnd.Before(f.ApplyStart) {
		return 0
	}
	return f.ApplyEnd.Sub(f.ApplyStart)
}

// Window is the part of a replica's samples attributed to a mark: from the
// later of the mark's start and the previous mark's arrival on the replica,
// to two samples after its own.
func (r *Result) Window(i, rep int) (from, to time.Time) {
	mk := r.Marks[i]
	from = mk.Start
	if i > 0 {
		if prev := r.Marks[i-1].Reached[rep]; prev.After(from) {
			from = prev
		}
	}
	to = mk.Reached[rep]
	if to.IsZero() {
		if lag := r.Replicas[rep].Lag; len(lag) > 0 {
			to = lag[len(lag)-1].T
		}
	} else {
		to = to.Add(2 * r.Interval)
	}
	return from, to
}

// FiguresOf computes mk's figures on every replica (nil when mk is not
// one of the result's marks).
func (r *Result) FiguresOf(mk *Mark) []Figures {
	for i, m := range r.Marks {
		if m == mk {
			return r.Figures(i)
		}
	}
	return nil
}

// Figures computes mark i's figures on every replica.
func (r *Result) Figures(i int) []Figures {
	mk := r.Marks[i]
	out := make([]Figures, len(r.Replicas))
	for rep, rr := range r.Replicas {
		f := Figures{Replica: rr.Name, Reached: mk.Reached[rep]}
		if !f.Reached.IsZero() {
			f.CaughtUp = max(0, f.Reached.Sub(mk.End))
		}
		from, to := r.Window(i, rep)
		cut := mk.End.Add(-r.commitSlack(mk))
		for _, s := range rr.Lag {
			if s.T.Before(from) || s.T.After(to) {
				continue
			}
			// The oldest heartbeat the replica lacked was acknowledged
			// before the statement committed on the primary: it was
			// binary-logged before the statement, so what held it back
			// was an earlier statement or its queued writes, not this one.
			if s.Lag > 0 && s.T.Add(-s.Lag).Before(cut) {
				continue
			}
			if s.Lag > f.PeakLag {
				f.PeakLag, f.PeakAt = s.Lag, s.T
			}
		}
		r.applySpan(mk, rep, &f)
		f.Queued = r.queued(mk, rep, f)
		out[rep] = f
	}
	return out
}

// commitSlack is how long before a statement's end on the primary its
// commit may have begun: a heartbeat acknowledged in that time may be
// binary-logged behind it, so its lag counts for the statement (erring
// toward the statement, never away from it). At least one heartbeat
// interval (the acknowledgements of the statement and of a heartbeat
// committed right after it reach this process in either order), and the
// longest pause between two heartbeat acknowledgements around the
// statement: a large transaction writes its binary log at commit while
// every later commit, the heartbeat's too, waits.
func (r *Result) commitSlack(mk *Mark) time.Duration {
	slack := r.Interval
	var prev time.Time
	for _, b := range r.Beats {
		if b.Acked.IsZero() {
			continue
		}
		if !prev.IsZero() && b.Acked.After(mk.Start) && prev.Before(mk.End.Add(r.Interval)) {
			slack = max(slack, b.Acked.Sub(prev))
		}
		prev = b.Acked
	}
	return slack
}

// applySpan finds the replica applier's work on the statement.
func (r *Result) applySpan(mk *Mark, rep int, f *Figures) {
	rr := r.Replicas[rep]
	if mk.GTID != "" {
		for _, sp := range rr.Spans {
			if sp.Key == mk.GTID && sp.Exact {
				f.ApplyStart, f.ApplyEnd, f.ApplySource = sp.Start, sp.End, "performance_schema"
				if sp.End.IsZero() {
					f.ApplyEnd = f.Reached
				}
				return
			}
		}
	}
	if key := normalize(mk.Text); key != "" {
		// The statement's text in a replication thread (MariaDB, MySQL's
		// anonymous transactions): the first span that began after the
		// previous mark's arrival.
		for _, sp := range rr.Spans {
			if sp.Key == key && !sp.Start.Before(mk.Start.Add(-time.Second)) {
				f.ApplyStart, f.ApplyEnd, f.ApplySource = sp.Start, sp.End.Add(r.Interval/2), "processlist"
				if !f.Reached.IsZero() && f.ApplyEnd.After(f.Reached) {
					f.ApplyEnd = f.Reached
				}
				if sp.Exact {
					f.ApplySource = "performance_schema"
				}
				return
			}
		}
	}
	if mk.GTID == "" || len(rr.slavePos) == 0 {
		return
	}
	dom, seq, ok := parseMariaGTID(mk.GTID)
	if !ok || seq == 0 {
		return
	}
	prev := reachedSeq(rr.slavePos, dom, seq-1)
	end := reachedSeq(rr.slavePos, dom, seq)
	if !f.Reached.IsZero() && (end.IsZero() || f.Reached.Before(end)) {
		end = f.Reached
	}
	if prev.IsZero() || end.IsZero() {
		return
	}
	start := prev
	if mk.End.After(start) {
		start = mk.End // a statement reaches the replica when it committed
	}
	f.ApplyStart, f.ApplyEnd, f.ApplySource = start, end, "gtid_slave_pos"
}

// queued tells whether writes committed after the statement waited on the
// replica for it: the first heartbeat sent after the statement's end was
// seen only once the statement had been applied.
func (r *Result) queued(mk *Mark, rep int, f Figures) bool {
	if f.Apply() < 2*r.Interval {
		return false
	}
	after := 0 // seq of the first heartbeat sent after the statement ended
	for i, b := range r.Beats {
		if !b.Sent.Before(mk.End) {
			after = i + 1
			break
		}
	}
	if after == 0 {
		return false
	}
	for _, s := range r.Replicas[rep].Lag {
		if s.Seq >= uint64(after) {
			return !s.T.Before(f.ApplyEnd.Add(-r.Interval))
		}
	}
	return true // never seen while the rehearsal ran
}

// parseMariaGTID reads "domain-server-seq".
func parseMariaGTID(g string) (uint64, uint64, bool) {
	p := strings.Split(strings.TrimSpace(g), "-")
	if len(p) != 3 {
		return 0, 0, false
	}
	d, err1 := strconv.ParseUint(p[0], 10, 64)
	s, err2 := strconv.ParseUint(p[2], 10, 64)
	return d, s, err1 == nil && err2 == nil
}

// reachedSeq is the first sample whose gtid_slave_pos has at least seq in
// domain dom.
func reachedSeq(samples []posSample, dom, seq uint64) time.Time {
	for _, s := range samples {
		for _, g := range strings.Split(s.Pos, ",") {
			d, n, ok := parseMariaGTID(g)
			if ok && d == dom && n >= seq {
				return s.T
			}
		}
	}
	return time.Time{}
}

// LagAt is the replica's sampled lag series between from and to, for a
// timeline: the largest sample in each step.
func (rr ReplicaResult) LagAt(from time.Time, step time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	seen := make([]bool, n)
	for _, s := range rr.Lag {
		i := int(s.T.Sub(from) / step)
		if i < 0 || i >= n {
			continue
		}
		if !seen[i] || s.Lag > out[i] {
			out[i], seen[i] = s.Lag, true
		}
	}
	return out
}
