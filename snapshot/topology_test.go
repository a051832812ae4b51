package snapshot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/replica"
	"github.com/rehearse/rehearse/snapshot"
)

type tlog struct{ t *testing.T }

func (w tlog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestCaptureTopology snapshots a primary with two replicas and one of
// the replicas on MariaDB 10.11 and MySQL 9.7 (a topology rehearse/replica
// starts): the primary is a source with 2 replicas, binary log format,
// GTID and parallel-apply settings under both flavors' names; the replica
// names its source, both threads running, its GTID positioning and lag;
// diff of the primary against a standalone server reports the replicas
// with their consequence, and the primary against itself reports nothing.
func TestCaptureTopology(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			src := testserver.Start(t, target)
			alone := testserver.Start(t, target)
			base := target.Options
			base.Flavor = src.Flavor
			topo, err := replica.FromServer(ctx, src, replica.StartOptions{Engine: target.Engine, Base: base,
				Plan: replica.Plan{Replicas: 2, Mode: replica.Async, GTID: true, ParallelWorkers: 2, BinlogFormat: "ROW"}, Log: tlog{t}})
			if err != nil {
				t.Fatal(err)
			}
			defer topo.Stop(context.Background())

			capture := func(srv *engine.Server) *snapshot.Snapshot {
				t.Helper()
				db, err := srv.Open("")
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"mysql"}, SkipPrivilegeCheck: true})
				if err != nil {
					t.Fatal(err)
				}
				return snap
			}
			ps := capture(topo.Primary.Server)
			pt := snapshot.TopologyOf(ps)
			t.Logf("primary: %+v", pt)
			if pt.Role != "source" || pt.Replicas != 2 || pt.ReplicasFrom != "show-replicas" {
				t.Errorf("primary: role %q with %d replicas (%s), want source with 2 from show-replicas", pt.Role, pt.Replicas, pt.ReplicasFrom)
			}
			if !pt.LogBin || pt.BinlogFormat != "ROW" {
				t.Errorf("primary: log_bin %v binlog_format %q, want on and ROW", pt.LogBin, pt.BinlogFormat)
			}
			rs := capture(topo.Replicas[0].Server)
			rt := snapshot.TopologyOf(rs)
			t.Logf("replica: %+v", rt)
			if rt.Role != "replica" || rt.ParallelWorkers != 2 || !rt.GTID {
				t.Errorf("replica: role %q, %d parallel workers, GTID %v; want replica, 2, true", rt.Role, rt.ParallelWorkers, rt.GTID)
			}
			up := rs.Source.Identity.Upstreams
			if len(up) != 1 || up[0].Port != topo.Primary.Server.Port || up[0].IORunning != "Yes" || up[0].SQLRunning != "Yes" || up[0].SecondsBehind == nil || up[0].GTID == "" {
				t.Errorf("replica's upstream: %+v, want the primary's port %d, both threads running, lag and GTID positioning", up, topo.Primary.Server.Port)
			}

			// The least-privilege account (no REPLICATION SLAVE, no
			// REPLICATION MASTER ADMIN) counts the replicas from the
			// binary-log dump threads in performance_schema.threads.
			proot, err := topo.Primary.Server.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer proot.Close()
			grant(t, proot, "CREATE DATABASE app; CREATE USER 'rehearse'@'%' IDENTIFIED BY 'capture-pw-123'")
			grant(t, proot, snapshot.LeastPrivilegeGrant(string(src.Flavor), "app", "'rehearse'@'%'"))
			ls, err := snapshot.Capture(ctx, asUser(t, topo.Primary.Server, "rehearse", "capture-pw-123"), snapshot.CaptureOptions{Databases: []string{"app"}})
			if err != nil {
				t.Fatal(err)
			}
			if lt := snapshot.TopologyOf(ls); lt.Replicas != 2 || lt.ReplicasFrom != "performance_schema.threads" {
				t.Errorf("least-privilege capture: %d replicas from %q (%s), want 2 from performance_schema.threads", lt.Replicas, lt.ReplicasFrom, ls.Source.Identity.ReplicasUnknown)
			}

			as := capture(alone)
			if at := snapshot.TopologyOf(as); at.Role != "standalone" || at.Replicas != 0 {
				t.Errorf("standalone server: %+v", at)
			}
			d := snapshot.Diff(ps, as, snapshot.DiffOptions{NameA: "production", NameB: "staging"})
			var found bool
			for _, f := range d.Findings {
				if f.Kind == snapshot.DriftTopology && f.Object == "replicas" {
					found = true
					if !strings.Contains(f.Consequence, "staging none") || !strings.Contains(f.Consequence, "--replicas 2") {
						t.Errorf("replicas drift consequence: %s", f.Consequence)
					}
				}
			}
			if !found {
				t.Errorf("no replicas drift between a primary with 2 replicas and a standalone server: %+v", d.Findings)
			}
			if same := snapshot.Diff(ps, ps, snapshot.DiffOptions{}); same.Count(snapshot.DriftTopology) != 0 {
				t.Errorf("the primary against itself: %+v", same.Findings)
			}
		})
	}
}
