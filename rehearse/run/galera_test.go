package run

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/blocking"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/replica"
	"github.com/rehearse/rehearse/rehearse/result"
)

// A Galera rehearsal (issue 14): a 3-node cluster of MariaDB 10.11 with
// galera-4 (the host's on the local engine, the rehearse/mariadb:10.11
// image on the docker engine) from the filled datadir, the load on node-1 and a
// writer on every node. A table-copying ALTER under TOI stalls every
// node's writer for most of its run — the nodes that do not write the
// table too — and the report says so (RUN245). RSU's node-1-only stall is
// rehearse/replica's TestGaleraDDLStallsEveryNode.
func TestRunGaleraTOIStallsEveryNode(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.DockerMariaDB()} {
		t.Run(target.Name, func(t *testing.T) { runGaleraTOIStallsEveryNode(t, target) })
	}
}

func runGaleraTOIStallsEveryNode(t *testing.T, target testserver.Target) {
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
	logFlow(t, s)
	if len(rp.SchemaDiffers) > 0 {
		t.Errorf("under TOI every node has every DDL; the report says the schemas differ: %v", rp.SchemaDiffers)
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

// logFlow logs a statement's flow control on every node.
func logFlow(t *testing.T, s result.Statement) {
	t.Helper()
	for _, f := range s.Galera {
		if fc := f.FlowControl; fc != nil {
			t.Logf("%s: flow control paused %.0f ms of %.3f s, FC_PAUSE sent %d, received %d, receive queue max %d", f.Node, fc.PausedMs, fc.WindowS, fc.Sent, fc.Recv, fc.RecvQueueMax)
		} else {
			t.Logf("%s: no flow-control figures", f.Node)
		}
	}
}

// A backfill (an UPDATE of every row, one transaction) on node-1 of a
// 3-node cluster under the load: the other nodes apply its one large write
// set while the load's small ones queue behind it, past gcs.fc_limit a node
// sends FC_PAUSE and the cluster's replication pauses. The report carries
// each node's flow control for the statement (the provider's counters;
// rehearse/replica's TestGaleraFlowControl holds them to the server's own
// deltas) and RUN246 exactly when the pause reached FlowPaused.
func TestRunGaleraFlowControl(t *testing.T) {
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	if err := replica.GaleraSupported(context.Background(), target.Engine, target.Options); err != nil {
		testserver.Missing(t, err.Error(), "apt-get install galera-4 (scripts/setup.sh installs it)")
	}
	files := baseFiles()
	files["000003_index.up.sql"] = "UPDATE investments SET amount = amount + 1;\n"
	files["000003_index.down.sql"] = "UPDATE investments SET amount = amount - 1;\n"
	rep := rehearseRun(t, target, sourceSnapshot(t, target, 400000), writeMigrations(t, files), func(o *Options) {
		o.Replicas = ReplicaOptions{Galera: 3}
	})
	s := stmt(t, rep, "3", 1)
	t.Logf("the backfill ran %.3f s on node-1 (%d rows)", s.DurationS, s.RowsAffected)
	logFlow(t, s)
	if len(s.Galera) != 3 {
		t.Fatalf("statement's Galera figures: %+v", s.Galera)
	}
	var sent int64
	var paused float64
	for _, f := range s.Galera {
		fc := f.FlowControl
		if fc == nil {
			t.Fatalf("%s: no flow-control figures", f.Node)
		}
		if fc.WindowS < s.DurationS {
			t.Errorf("%s: flow-control window %.3f s shorter than the statement's %.3f s run", f.Node, fc.WindowS, s.DurationS)
		}
		if fc.Sent > 0 && fc.RecvQueueMax == 0 {
			t.Errorf("%s sent %d FC_PAUSE with a receive queue of 0", f.Node, fc.Sent)
		}
		sent += fc.Sent
		paused = max(paused, fc.PausedMs)
	}
	if sent == 0 {
		t.Fatalf("no node sent FC_PAUSE during the backfill: flow control did not engage; grow the table")
	}
	var found bool
	for _, fd := range rep.Findings {
		if fd.Code == codes.GaleraFlowControl {
			found = true
			t.Logf("%s: %s", fd.Code, fd.Message)
			if fd.Statement != s.Index {
				t.Errorf("finding %+v: want statement %d", fd, s.Index)
			}
		}
	}
	if want := time.Duration(paused*float64(time.Millisecond)) >= FlowPaused; found != want {
		t.Errorf("RUN246 reported: %v; the longest pause %.0f ms, reported from %s", found, paused, FlowPaused)
	}
}

// The false pass of issue 14's column-type-copy scenario, made
// deterministic: under TOI a table copy holds every node's commits in the
// cluster's order, so writers stall on tables the DDL does not touch, and
// no metadata lock shows it. Here the load writes only investments on
// node-1 while ledger is copied: the lock monitor sees no writer wait
// behind the ALTER, yet every node's writer — and the load's own writes on
// node-1 — stall for about the copy. max-writer-stall must judge that
// stall (the node writers' longest write, the truth this test holds the
// gate to, cross-checked with the load's own latency) and say what the
// writers waited for. The limit is below the stall the test measured, so
// the gate must fail; before the fix it passed (it read the lock
// monitor's 0 s).
func TestRunGaleraWriterStallGate(t *testing.T) {
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	if err := replica.GaleraSupported(context.Background(), target.Engine, target.Options); err != nil {
		testserver.Missing(t, err.Error(), "apt-get install galera-4 (scripts/setup.sh installs it)")
	}
	ddl := sourceDDL + "CREATE TABLE app.ledger (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, account_id INT NOT NULL, amount DECIMAL(14,2) NOT NULL, created_at DATETIME NOT NULL) ENGINE=InnoDB;\n"
	snap := snapshotOf(t, target, ddl, map[string]int64{"investments": 20000, "ledger": 200000})
	prof, _ := writeProfile(t, "format: rehearse.load-profile/v1\noperations:\n  - table: investments\n    kind: insert\n")
	files := baseFiles()
	files["000003_index.up.sql"] = "ALTER TABLE ledger MODIFY amount DECIMAL(18,4) NOT NULL;\n"
	files["000003_index.down.sql"] = "ALTER TABLE ledger MODIFY amount DECIMAL(14,2) NOT NULL;\n"
	limit := 2 * blocking.ShareFloor
	gate, err := NewGate("max-writer-stall", limit.String())
	if err != nil {
		t.Fatal(err)
	}
	rep := rehearseRun(t, target, snap, writeMigrations(t, files), func(o *Options) {
		o.Replicas = ReplicaOptions{Galera: 3}
		o.LoadProfile = prof
		o.Gates = []Gate{gate}
	})
	s := stmt(t, rep, "3", 1)
	if len(s.Galera) != 3 || s.During == nil {
		t.Fatalf("statement's Galera figures %+v, load window %+v", s.Galera, s.During)
	}
	dur := time.Duration(s.DurationS * float64(time.Second))
	var truth time.Duration
	var worst string
	for _, f := range s.Galera {
		d := time.Duration(f.LongestWriteMs * float64(time.Millisecond))
		t.Logf("%s: longest write %s, %d of %d writes slow", f.Node, d.Round(time.Millisecond), f.SlowWrites, f.Writes)
		if d > truth {
			truth, worst = d, f.Node
		}
	}
	logFlow(t, s)
	t.Logf("the copy ran %s on node-1; lock monitor: %d writers blocked, longest %.3f s; the load's writes on node-1 (investments only): max %.0f ms, p99 %.0f ms",
		dur.Round(time.Millisecond), s.WritersBlocked, s.LongestStallS, s.During.MaxMs, s.During.P99Ms)
	if truth < dur/2 || truth <= limit {
		t.Fatalf("the longest node write %s during a %s copy under TOI: the cluster did not stall past %s; grow the table", truth, dur, limit)
	}
	// The stall is the load's too, not an artefact of the node writers:
	// the load's writes on node-1 (a table the ALTER does not touch)
	// waited past the limit as well.
	if loadMax := time.Duration(s.During.MaxMs * float64(time.Millisecond)); loadMax <= limit {
		t.Errorf("the load's longest write on node-1 %s: not stalled past %s while the node writers were (%s on %s)", loadMax, limit, truth, worst)
	}
	var g *result.Gate
	for i, x := range rep.Gates {
		if x.Name == "max-writer-stall" && x.Scope == rep.Migrations[len(rep.Migrations)-1].Version+"#1" {
			g = &rep.Gates[i]
		}
	}
	if g == nil {
		t.Fatalf("no max-writer-stall gate for the ALTER: %+v", rep.Gates)
	}
	t.Logf("gate: %s %s: %s (passed %v); verdict %s: %s", g.Name, g.Scope, g.Measured, g.Passed, rep.Verdict, rep.Reason)
	if got := time.Duration(g.Value * float64(time.Second)); got < truth-time.Millisecond {
		t.Errorf("max-writer-stall measured %s (%s), the writers' longest write was %s on %s", got, g.Measured, truth, worst)
	}
	if g.Passed || rep.Verdict != "fail" {
		t.Errorf("max-writer-stall=%s passed (verdict %s) while %s's writer stalled %s", limit, rep.Verdict, worst, truth)
	}
	if s.LongestStallS < truth.Seconds() && !strings.Contains(g.Measured, "commit order") {
		t.Errorf("the gate %q does not say the writers waited for the cluster's commit order", g.Measured)
	}
}
