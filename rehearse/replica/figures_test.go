package replica

import (
	"testing"
	"time"
)

// A lag sample belongs to the statement the missing heartbeat queued
// behind: right after the replica applied statement 0, the heartbeats
// written on the primary during that apply (binary-logged before
// statement 1 committed) are still missing — that lag is statement 0's,
// even though it is sampled in statement 1's window.
func TestPeakLagBelongsToTheStatementBehindWhichTheHeartbeatQueued(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	r := &Result{
		Interval: 100 * time.Millisecond,
		Marks: []*Mark{
			{Label: "0", Start: at(0), End: at(1), Reached: []time.Time{at(4)}},
			{Label: "1", Start: at(1), End: at(1.5), Reached: []time.Time{at(4.2)}},
		},
		Replicas: []ReplicaResult{{Name: "replica-1", Lag: []LagSample{
			{T: at(0.5), Lag: 0},
			{T: at(3.9), Lag: 2.8 * 1e9},   // heartbeat acknowledged at 1.1 s: behind 0
			{T: at(4.05), Lag: 2.95 * 1e9}, // acknowledged at 1.1 s, sampled after 0 was applied
			{T: at(4.15), Lag: 2.6 * 1e9},  // acknowledged at 1.55 s: behind 1
			{T: at(4.25), Lag: 0},
		}}},
	}
	if f := r.Figures(0)[0]; f.PeakLag != 2.95*1e9 {
		t.Errorf("statement 0: peak lag %s, want 2.95s", f.PeakLag)
	}
	if f := r.Figures(1)[0]; f.PeakLag != 2.6*1e9 {
		t.Errorf("statement 1: peak lag %s, want 2.6s (the 2.95s sampled in its window queued behind statement 0)", f.PeakLag)
	}
}

// A large transaction writes its binary log at commit while the heartbeat's
// commits wait: the heartbeat stalled by it may be acknowledged a little
// before the statement's own acknowledgement, yet it is behind the
// statement. Its lag counts for the statement.
func TestPeakLagCountsTheHeartbeatStalledByTheCommit(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	r := &Result{Interval: 100 * time.Millisecond}
	for s := 0.0; s <= 1.5; s += 0.1 {
		r.Beats = append(r.Beats, Beat{Sent: at(s), Acked: at(s + 0.005)})
	}
	// Sent at 1.6, stalled by the statement's commit, acknowledged at 1.95;
	// the statement's own acknowledgement arrives at 2.0.
	r.Beats = append(r.Beats, Beat{Sent: at(1.6), Acked: at(1.95)}, Beat{Sent: at(2.05), Acked: at(2.06)})
	r.Marks = []*Mark{{Label: "backfill", Start: at(1), End: at(2), Reached: []time.Time{at(3)}}}
	r.Replicas = []ReplicaResult{{Name: "replica-1", Lag: []LagSample{
		{T: at(2.9), Lag: 950 * time.Millisecond}, // lacks the stalled heartbeat (acknowledged at 1.95)
		{T: at(3.05), Lag: 0},
	}}}
	if f := r.Figures(0)[0]; f.PeakLag != 950*time.Millisecond {
		t.Errorf("peak lag %s, want 950ms: the heartbeat its commit stalled is behind it", f.PeakLag)
	}
}
