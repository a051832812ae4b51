package locks

import (
	"testing"
	"time"
)

func TestConflicts(t *testing.T) {
	cases := []struct {
		req, other string
		granted    bool
		want       bool
	}{
		{"EXCLUSIVE", "SHARED_READ", true, true},           // ALTER waits for a reader's transaction
		{"SHARED_WRITE", "SHARED_READ", true, false},       // writers and readers coexist
		{"SHARED_WRITE", "SHARED_UPGRADABLE", true, false}, // an online ALTER lets writers in
		{"SHARED_WRITE", "SHARED_NO_WRITE", true, true},    // a COPY ALTER does not
		{"SHARED_WRITE", "EXCLUSIVE", false, true},         // writers queue behind a waiting ALTER
		{"SHARED_READ", "EXCLUSIVE", false, true},
		{"SHARED_HIGH_PRIO", "EXCLUSIVE", false, false},
		{"EXCLUSIVE", "SHARED_WRITE", false, false}, // pending requests never block X
		{"SHARED_WRITE", "SHARED_NO_READ_WRITE", true, true},
		{"BACKUP_DDL", "EXCLUSIVE", true, true}, // unknown types conflict with X only
		{"BACKUP_DDL", "SHARED_READ", true, false},
	}
	for _, c := range cases {
		if got := conflicts(c.req, c.other, c.granted); got != c.want {
			t.Errorf("%s vs %s (granted %v): %v, want %v", c.req, c.other, c.granted, got, c.want)
		}
	}
}

func TestTrackerIntervalsAndBlips(t *testing.T) {
	tr := newTracker(2)
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	k := waitKey{conn: 7, kind: MetadataLock, schema: "d", table: "t", lockType: "EXCLUSIVE"}
	blip := waitKey{conn: 8, kind: MetadataLock, schema: "d", table: "t", lockType: "SHARED_WRITE"}
	obs := func(keys ...waitKey) []observation {
		var o []observation
		for _, k := range keys {
			o = append(o, observation{key: k, statement: "ALTER", blockers: []Blocker{{ConnID: 3, Granted: true}}, source: "s"})
		}
		return o
	}
	tr.observe("s", point(at(0)), nil)
	tr.observe("s", point(at(10)), obs(k, blip)) // both appear: start = 5 ms
	tr.observe("s", point(at(20)), obs(k))       // blip gone after one sample
	tr.observe("s", point(at(30)), obs(k))
	tr.observe("s", point(at(40)), nil) // k ends: end = 35 ms
	if tr.blips != 1 || len(tr.done) != 1 {
		t.Fatalf("blips %d, waits %d; want 1 and 1", tr.blips, len(tr.done))
	}
	w := tr.done[0]
	if !w.Start.Equal(at(5)) || !w.End.Equal(at(35)) || w.Samples != 3 {
		t.Errorf("wait %v..%v (%d samples), want +5ms..+35ms (3)", w.Start.Sub(t0), w.End.Sub(t0), w.Samples)
	}
	if len(w.Blockers) != 1 || w.Blockers[0].ConnID != 3 || w.Blockers[0].Samples != 3 {
		t.Errorf("blockers %+v", w.Blockers)
	}
	r := &Result{Started: t0, Stopped: at(300), Waits: tr.snapshot(at(300))}
	if s := r.DDLWait(7, t0, at(300)); s.Total != 30*time.Millisecond {
		t.Errorf("DDLWait %v, want 30ms", s.Total)
	}
	if b := r.BlockedBy(3, t0, at(300)); b.Sessions != 1 || b.LongestStall != 30*time.Millisecond || b.DeepestQueue != 1 {
		t.Errorf("BlockedBy %+v", b)
	}
	// The wait began at +5 ms: a statement of conn 3 that starts after an
	// earlier one ended at +20 ms does not inherit it.
	if b := r.BlockedBySince(3, at(20), at(20), at(300)); b.Sessions != 0 || b.LongestStall != 0 {
		t.Errorf("BlockedBySince after the wait began: %+v, want nothing", b)
	}
	if tl := r.Timeline(100 * time.Millisecond); len(tl) != 4 || tl[0].Waiters != 1 || tl[1].Waiters != 0 {
		t.Errorf("timeline %+v", tl)
	}
}

func point(t time.Time) sampleTime { return sampleTime{t, t} }

// With the server's clock, a starved monitor (samples 100 ms apart, each
// query slow to come back) still places a wait where the server saw it:
// the start is the statement's start and the end the statement's end,
// within what the samples allow.
func TestTrackerServerClock(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	sample := func(from, to int) sampleTime { return sampleTime{at(from), at(to)} }
	k := waitKey{conn: 7, kind: MetadataLock, schema: "d", table: "t", lockType: "EXCLUSIVE"}
	o := []observation{{key: k, since: at(23), event: 5, blockers: []Blocker{{ConnID: 3, Granted: true}}}}

	tr := newTracker(2)
	tr.observe("s", sample(0, 20), nil)
	tr.observe("s", sample(100, 180), o) // midpoints would say start 75 ms
	tr.observe("s", sample(200, 210), o)
	es := tr.observe("s", sample(300, 390), nil) // midpoints would say end 272.5 ms
	if len(es) != 1 || es[0].req != (endReq{conn: 7, since: at(23), event: 5, blocker: 3}) {
		t.Fatalf("ended %+v", es)
	}
	tr.refine(es, endInfo{own: map[int64]endAns{7: {at: at(251), exact: true}}})
	if w := tr.done[0]; !w.Start.Equal(at(23)) || !w.End.Equal(at(251)) {
		t.Errorf("wait %v..%v, want +23ms..+251ms", w.Start.Sub(t0), w.End.Sub(t0))
	}

	// A statement that worked before asking for its lock started before
	// the previous sample: the wait starts no earlier than that sample was
	// sent. An end the server only bounds from above replaces the midpoint
	// when earlier; an answer outside the samples' bracket is clamped.
	tr = newTracker(2)
	tr.observe("s", sample(0, 20), nil)
	o[0].since = at(-500)
	tr.observe("s", sample(100, 110), o)
	tr.observe("s", sample(200, 210), o)
	es = tr.observe("s", sample(300, 310), nil)
	tr.refine(es, endInfo{own: map[int64]endAns{7: {at: at(230)}}})
	if w := tr.done[0]; !w.Start.Equal(at(0)) || !w.End.Equal(at(230)) {
		t.Errorf("wait %v..%v, want +0ms..+230ms", w.Start.Sub(t0), w.End.Sub(t0))
	}
	tr = newTracker(2)
	tr.observe("s", sample(0, 20), nil)
	tr.observe("s", sample(100, 110), o)
	tr.observe("s", sample(200, 210), o)
	es = tr.observe("s", sample(300, 310), nil)
	tr.refine(es, endInfo{own: map[int64]endAns{7: {at: at(900), exact: true}}})
	if w := tr.done[0]; !w.End.Equal(at(310)) {
		t.Errorf("end %v, want clamped to +310ms", w.End.Sub(t0))
	}
}

// A writer that ran many statements since its wait ended has no record of
// it left; its blocker's statement end (the ALTER or COMMIT that released
// the lock) inside the wait's bracket is its end. One outside the bracket
// is some other statement of the blocker and is ignored.
func TestTrackerBlockerRelease(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	sample := func(from, to int) sampleTime { return sampleTime{at(from), at(to)} }
	k := waitKey{conn: 7, kind: MetadataLock, schema: "d", table: "t", lockType: "SHARED_WRITE"}
	o := []observation{{key: k, since: at(15), blockers: []Blocker{{ConnID: 3}}}}
	run := func(info endInfo) Wait {
		tr := newTracker(2)
		tr.observe("s", sample(0, 10), nil)
		tr.observe("s", sample(20, 30), o)
		tr.observe("s", sample(100, 110), o)
		es := tr.observe("s", sample(200, 210), nil)
		tr.refine(es, info)
		return tr.done[0]
	}
	w := run(endInfo{own: map[int64]endAns{7: {at: at(195)}}, released: map[int64][]time.Time{3: {at(50), at(141)}}})
	if !w.End.Equal(at(141)) {
		t.Errorf("end +%v, want the blocker's release at +141ms", w.End.Sub(t0))
	}
	w = run(endInfo{own: map[int64]endAns{7: {at: at(195)}}, released: map[int64][]time.Time{3: {at(50)}}})
	if want := at(155); !w.End.Equal(want) { // midpoint of 100..110 and 200..210; the bound 195 is later
		t.Errorf("end +%v, want the midpoint +155ms", w.End.Sub(t0))
	}
}
