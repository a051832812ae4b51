package run

import (
	"context"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/replica"
)

// A Galera rehearsal (issue 14): a 3-node cluster of the host's MariaDB
// 10.11 with galera-4 from the filled datadir, the load on node-1 and a
// writer on every node. A table-copying ALTER under TOI stalls every
// node's writer for most of its run — the nodes that do not write the
// table too — and the report says so (RUN245). RSU's node-1-only stall is
// rehearse/replica's TestGaleraDDLStallsEveryNode.
func TestRunGaleraTOIStallsEveryNode(t *testing.T) {
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	if err := replica.GaleraSupported(context.Background(), target.Engine, target.Options); err != nil {
		testserver.Missing(t, err.Error(), "apt-get install galera-4 (scripts/setup.sh installs it)")
	}
	rep := rehearseRun(t, target, sourceSnapshot(t, target, 100000), writeMigrations(t, copyFiles()), func(o *Options) {
		o.Replicas = ReplicaOptions{Galera: 3}
	})
	rp := rep.Replication
	if rp == nil || rp.GaleraNodes != 3 || rp.OSUMethod != "TOI" || len(rp.Servers) != 3 {
		t.Fatalf("replication: %+v", rp)
	}
	s := stmt(t, rep, "3", 1)
	if len(s.Galera) != 3 {
		t.Fatalf("statement's Galera figures: %+v", s.Galera)
	}
	dur := time.Duration(s.DurationS * float64(time.Second))
	if dur < 300*time.Millisecond {
		t.Fatalf("the copy ran %s: too short to tell a stall from noise; grow the table", dur)
	}
	for _, f := range s.Galera {
		t.Logf("%s: the copy ran %.3f s on node-1; longest write %.0f ms at %.3f s (the copy %.3f..%.3f s), %d of %d writes slow",
			f.Node, s.DurationS, f.LongestWriteMs, f.LongestAtS, s.StartS, s.StartS+s.DurationS, f.SlowWrites, f.Writes)
		if !StallsCluster(time.Duration(f.LongestWriteMs*float64(time.Millisecond)), dur) {
			t.Errorf("%s: longest write %.0f ms during a %s copy under TOI: not stalled", f.Node, f.LongestWriteMs, dur)
		}
	}
	var found bool
	for _, fd := range rep.Findings {
		if fd.Code == codes.GaleraTOI {
			found = true
			t.Logf("%s: %s", fd.Code, fd.Message)
			if fd.Statement != s.Index || fd.Severity != "error" {
				t.Errorf("finding %+v: want statement %d, severity error", fd, s.Index)
			}
		}
	}
	if !found {
		t.Errorf("no %s finding; findings: %+v", codes.GaleraTOI, rep.Findings)
	}
}
