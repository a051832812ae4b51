package run

import (
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/load/loadtest"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// A long transaction on the primary delays a table copy: the copy waits
// for its metadata lock, runs, commits, and only then is it binlogged and
// replayed by the replica. The report must show the events in that order
// (issue 14): no replica lag while the DDL waits on the primary (the
// heartbeat keeps replicating), the replica's applier starting on the
// statement only after the primary committed it, the peak lag after that
// commit and about the replica's own apply time, never the lock wait; the
// timeline's replica-lag lane agrees. MariaDB 10.11, one replica.
func TestRunReplicaLagAfterTheDDLCommits(t *testing.T) {
	target := testserver.LocalMariaDB()
	set := writeMigrations(t, copyFiles())
	inj, _ := ParseInjection("long-txn=investments:3s")
	probe := loadtest.StartProbe(t)
	rep := rehearseRun(t, target, sourceSnapshot(t, target, 100000), set, func(o *Options) {
		o.Injections = []Injection{inj}
		o.Replicas = ReplicaOptions{Count: 1, Reads: 20}
	})
	late := probe.Worst()
	rp := rep.Replication
	if rp == nil || rp.Replicas != 1 || len(rp.Errors) > 0 {
		t.Fatalf("replication: %+v", rp)
	}
	interval := time.Duration(rp.HeartbeatMs * float64(time.Millisecond))
	s := stmt(t, rep, "3", 1)
	if len(s.Replicas) != 1 {
		t.Fatalf("statement replicas: %+v", s.Replicas)
	}
	f := s.Replicas[0]
	end := s.StartS + s.DurationS // the primary committed the copy
	t.Logf("primary: lock wait %.3f s, copy ends at %.3f s; replica: applier %.3f s from %.3f s (%s), applied at %.3f s, peak lag %.3f s at %.3f s, %d writes queued, %d/%d reads stale; test late by up to %s",
		s.LockWaitS, end, f.ApplyS, f.ApplyStartS, f.ApplySource, f.AppliedAtS, f.PeakLagS, f.PeakAtS, f.QueuedWrites, f.StaleReads, f.Reads, late)
	if len(rep.Injections) != 1 || s.LockWaitS < 0.5 {
		t.Fatalf("the copy waited %.3f s for its lock behind the injected transaction %+v: it was not delayed", s.LockWaitS, rep.Injections)
	}
	slack := (2*interval + late).Seconds()
	// Order: the replica applies the statement after the primary
	// committed it.
	if f.NotApplied || f.AppliedAtS < end {
		t.Errorf("the replica applied the copy at %.3f s, before the primary committed it at %.3f s", f.AppliedAtS, end)
	}
	if f.ApplySource != "" && f.ApplyStartS < end-slack {
		t.Errorf("the replica's applier started the copy at %.3f s, before the primary committed it at %.3f s", f.ApplyStartS, end)
	}
	// The lag is the replay, not the lock wait: at most the replica's
	// time from the commit until it had applied the statement.
	if f.PeakLagS > f.CaughtUpS+slack {
		t.Errorf("peak lag %.3f s, more than the replica's %.3f s from the primary's commit to applying it: the lock wait showed up as lag", f.PeakLagS, f.CaughtUpS)
	}
	if f.PeakLagS > 0.2 && f.PeakAtS < end-slack {
		t.Errorf("peak lag %.3f s sampled at %.3f s, before the primary committed the copy at %.3f s", f.PeakLagS, f.PeakAtS, end)
	}
	// The timeline's lane: no lag while the copy waited for its lock.
	waitFrom, waitTo := s.StartS+slack, s.StartS+s.LockWaitS-slack
	for _, p := range rep.Timeline {
		if p.T >= waitFrom && p.T <= waitTo && p.ReplicaLagMs/1000 > slack {
			t.Errorf("timeline at %.2f s (the copy waiting for its lock, %.2f..%.2f s): replica lag %.0f ms", p.T, s.StartS, s.StartS+s.LockWaitS, p.ReplicaLagMs)
		}
	}
	if !hasGate(rep, "max-replica-lag") {
		t.Errorf("gates %v: want max-replica-lag, a default with replicas", rep.GateSettings)
	}
	for _, fd := range rep.Findings {
		if fd.Code == codes.ReplicaBehind {
			t.Errorf("%s: the replica did not catch up: %s", fd.Code, fd.Message)
		}
	}
	if rep.Verdict == result.Error {
		t.Errorf("verdict %s: %+v", rep.Verdict, rep.Errors)
	}
}

func hasGate(rep *result.Report, name string) bool {
	for _, g := range rep.GateSettings {
		if g.Name == name {
			return true
		}
	}
	return false
}

// A Galera snapshot is rehearsed as one server: the report says so, and
// what TOI does to every node; nothing is said for a plain source.
func TestGaleraNote(t *testing.T) {
	if n := galeraNote(snapshot.Topology{Role: "source"}); n != "" {
		t.Errorf("a plain source: %q", n)
	}
	n := galeraNote(snapshot.Topology{Galera: true, GaleraSize: 3, OSUMethod: "TOI"})
	for _, want := range []string{"Galera cluster of 3 nodes", "wsrep_OSU_method=TOI", "does not start", "every node's writers"} {
		if !strings.Contains(n, want) {
			t.Errorf("note %q lacks %q", n, want)
		}
	}
	if n := galeraNote(snapshot.Topology{Galera: true, OSUMethod: "RSU"}); !strings.Contains(n, "RSU") || strings.Contains(n, "every node's writers") {
		t.Errorf("RSU note %q", n)
	}
}
