package replica_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/replica"
)

// fcCounters are a node's flow-control counters as SHOW GLOBAL STATUS
// gives them, read by the test itself (none of the sampler's code).
type fcCounters struct{ pausedNs, sent, recv int64 }

func readFC(t *testing.T, db *sql.DB) fcCounters {
	t.Helper()
	rows, err := db.Query("SHOW GLOBAL STATUS LIKE 'wsrep_flow_control_%'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var c fcCounters
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "wsrep_flow_control_paused_ns":
			c.pausedNs = n
		case "wsrep_flow_control_sent":
			c.sent = n
		case "wsrep_flow_control_recv":
			c.recv = n
		}
	}
	return c
}

func (c fcCounters) minus(o fcCounters) fcCounters {
	return fcCounters{c.pausedNs - o.pausedNs, c.sent - o.sent, c.recv - o.recv}
}

// TestGaleraFlowControl makes flow control engage on a 3-node cluster of
// the host's MariaDB 10.11 with galera-4 and holds the sampler's
// per-statement figures to the server's own counters: a backfill (an
// UPDATE of every row, one transaction) on node-1 while every node's
// writer commits 100 small write sets a second. The other nodes apply the
// backfill's one large write set with one applier thread while the
// writers' write sets queue behind it; past gcs.fc_limit a node sends
// FC_PAUSE and the whole cluster's replication pauses. The figures must
// lie between the counters' deltas over the cluster window (read by the
// test right before the statement and right after every node applied it)
// and over a span enclosing every sample (before the writers started,
// after they stopped).
func TestGaleraFlowControl(t *testing.T) {
	target := galeraTarget(t)
	topo := provision(t, target, replica.Plan{Galera: 3, Mode: replica.Galera}, 400000)
	ctx := context.Background()
	var dbs []*sql.DB
	for _, n := range topo.Nodes() {
		db, err := n.Server.Open("")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs = append(dbs, db)
	}
	readAll := func() []fcCounters {
		var out []fcCounters
		for _, db := range dbs {
			out = append(out, readFC(t, db))
		}
		return out
	}
	w := replica.NewNodeWriters(topo)
	if err := w.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	outerBefore := readAll()
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	innerBefore := readAll()
	t0 := time.Now()
	testserver.Exec(t, dbs[0], "UPDATE app.items SET qty = qty + 1")
	t1 := time.Now()
	mark := w.Mark(ctx, t0, t1)
	// Every other node has applied the backfill when a read under
	// wsrep_sync_wait returns there (the test's own, beside Mark's).
	for _, db := range dbs[1:] {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"SET SESSION wsrep_sync_wait = 1", "SELECT 1", "SET SESSION wsrep_sync_wait = 0"} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		conn.Close()
	}
	innerAfter := readAll()
	time.Sleep(300 * time.Millisecond)
	writes := w.Stop()
	outerAfter := readAll()
	flows := replica.FlowIn(topo, w.Flow(), mark)
	from, to := replica.ClusterWindow(mark)
	t.Logf("backfill %s on node-1; cluster window %s (every node had applied it %s after node-1)", t1.Sub(t0).Round(time.Millisecond), to.Sub(from).Round(time.Millisecond), to.Sub(t1).Round(time.Millisecond))
	var sent, innerSent int64
	stalls := replica.StallsIn(topo, writes, mark)
	for i, f := range flows {
		in, out := innerAfter[i].minus(innerBefore[i]), outerAfter[i].minus(outerBefore[i])
		t.Logf("%s: sampler paused %s, sent %d, recv %d, recv queue max %d (%d samples); server over the window paused %s, sent %d, recv %d; over the whole run paused %s, sent %d, recv %d; longest write %s",
			f.Node, f.Paused.Round(time.Millisecond), f.Sent, f.Recv, f.RecvQueueMax, f.Samples,
			time.Duration(in.pausedNs).Round(time.Millisecond), in.sent, in.recv, time.Duration(out.pausedNs).Round(time.Millisecond), out.sent, out.recv, stalls[i].Longest.Round(time.Millisecond))
		if f.NotBracketed {
			t.Errorf("%s: no sample before or after the window", f.Node)
		}
		for _, c := range []struct {
			what           string
			got, low, high int64
		}{
			{"paused ns", int64(f.Paused), in.pausedNs, out.pausedNs},
			{"FC_PAUSE sent", f.Sent, in.sent, out.sent},
			{"FC_PAUSE received", f.Recv, in.recv, out.recv},
		} {
			if c.got < c.low || c.got > c.high {
				t.Errorf("%s: %s %d, outside the server's %d (the window) .. %d (the whole run)", f.Node, c.what, c.got, c.low, c.high)
			}
		}
		sent += f.Sent
		innerSent += in.sent
	}
	if innerSent == 0 {
		t.Fatalf("flow control did not engage during the backfill (the server's wsrep_flow_control_sent rose on no node): grow the table")
	}
	if sent == 0 {
		t.Errorf("the sampler saw no FC_PAUSE where the server counted %d", innerSent)
	}
	// A node that sent FC_PAUSE had a queue: the sampler saw it grow.
	for _, f := range flows {
		if f.Sent > 0 && f.RecvQueueMax == 0 {
			t.Errorf("%s sent %d FC_PAUSE with a receive queue of 0", f.Node, f.Sent)
		}
	}
}
