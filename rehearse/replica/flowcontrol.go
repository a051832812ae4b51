package replica

// Galera flow control, per node: a node whose receive queue grows past
// gcs.fc_limit write sets sends FC_PAUSE and every node stops replicating
// (its commits wait) until the queue drains. NodeWriters samples each
// node's counters every FlowInterval; FlowIn turns them into deltas over a
// statement's window. The counters are the provider's own, cumulative
// since the node started (FLUSH STATUS resets them; rehearse never runs
// it): wsrep_flow_control_paused_ns (the time replication was paused),
// wsrep_flow_control_sent / _recv (FC_PAUSE events this node sent /
// received), and the receive queue (wsrep_local_recv_queue, now, and
// wsrep_local_recv_queue_max, the longest since the last reset).

import (
	"context"
	"database/sql"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// FlowInterval is the pause between two samples of a node's flow-control
// counters.
var FlowInterval = 100 * time.Millisecond

// FlowSample is one reading of a node's flow-control counters: asked at
// Asked, answered at At (the values are the server's somewhere between).
type FlowSample struct {
	Asked, At               time.Time
	PausedNs                int64
	Sent, Recv              int64
	RecvQueue, RecvQueueMax int64
}

// ReadFlow reads a node's flow-control counters now.
func ReadFlow(ctx context.Context, db *sql.DB) (FlowSample, error) {
	s := FlowSample{Asked: time.Now()}
	m, err := mysqlkit.GlobalStatus(ctx, db, "wsrep_flow_control_paused_ns", "wsrep_flow_control_sent",
		"wsrep_flow_control_recv", "wsrep_local_recv_queue", "wsrep_local_recv_queue_max")
	s.At = time.Now()
	if err != nil {
		return s, err
	}
	s.PausedNs, s.Sent, s.Recv = m["wsrep_flow_control_paused_ns"], m["wsrep_flow_control_sent"], m["wsrep_flow_control_recv"]
	s.RecvQueue, s.RecvQueueMax = m["wsrep_local_recv_queue"], m["wsrep_local_recv_queue_max"]
	return s, nil
}

// sampleFlow samples node i's counters until ctx ends.
func (w *NodeWriters) sampleFlow(ctx context.Context, db *sql.DB, i int) {
	t := time.NewTicker(FlowInterval)
	defer t.Stop()
	for {
		if s, err := ReadFlow(ctx, db); err == nil {
			w.mu.Lock()
			w.flow[i] = append(w.flow[i], s)
			w.mu.Unlock()
		} else if ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// NodeFlow is one node's flow control over a statement's window.
type NodeFlow struct {
	Node string
	// Paused is how long the node's replication was paused by flow
	// control; Sent and Recv the FC_PAUSE events it sent and received;
	// RecvQueueMax the longest its receive queue was (write sets waiting
	// to be applied).
	Paused       time.Duration
	Sent, Recv   int64
	RecvQueueMax int64
	From, To     time.Time // the samples the deltas are between
	Samples      int       // samples inside the window
	NotBracketed bool      // no sample before the window's start or after its end
}

// ClusterWindow is the statement's window for flow control: from its start
// on node-1 until every other node had applied it (its end when a node's
// time is not known). Flow control is the cluster's: a node still applying
// the statement pauses every node's replication, node-1's too, after the
// statement ended there. A window begins no earlier than the previous
// statement's ended (a node may still apply that one when the next starts
// on node-1): what happened meanwhile is the previous statement's.
func ClusterWindow(m *NodeMark) (from, to time.Time) {
	from, to = m.Start, appliedEverywhere(m)
	if m.Prev != nil {
		if p := appliedEverywhere(m.Prev); p.After(from) {
			from = p
		}
	}
	return from, to
}

// appliedEverywhere is when every node had applied m (as far as known).
func appliedEverywhere(m *NodeMark) time.Time {
	to := m.End
	for _, r := range m.Reached {
		if r.After(to) {
			to = r
		}
	}
	return to
}

// FlowIn are every node's flow-control deltas over the statement m's
// cluster window (ClusterWindow): between the last sample answered before
// the window began and the first asked after it ended (so the deltas may
// include up to one FlowInterval either side); the receive queue's maximum
// is the largest sampled inside that span, or the provider's own maximum
// when it rose meanwhile.
func FlowIn(t *Topology, samples [][]FlowSample, m *NodeMark) []NodeFlow {
	from, to := ClusterWindow(m)
	var out []NodeFlow
	for i, n := range t.Nodes() {
		f := NodeFlow{Node: n.Name}
		if i >= len(samples) || len(samples[i]) == 0 {
			f.NotBracketed = true
			out = append(out, f)
			continue
		}
		ss := samples[i]
		a, b := -1, -1
		for k, s := range ss {
			if !s.At.After(from) {
				a = k
			}
			if b < 0 && !s.Asked.Before(to) {
				b = k
			}
		}
		if a < 0 {
			a, f.NotBracketed = 0, true
		}
		if b < 0 {
			b, f.NotBracketed = len(ss)-1, true
		}
		if b < a {
			b = a
		}
		first, last := ss[a], ss[b]
		f.From, f.To = first.At, last.Asked
		f.Paused = time.Duration(last.PausedNs - first.PausedNs)
		f.Sent, f.Recv = last.Sent-first.Sent, last.Recv-first.Recv
		for _, s := range ss[a : b+1] {
			f.RecvQueueMax = max(f.RecvQueueMax, s.RecvQueue)
		}
		f.Samples = max(0, b-a-1)
		if last.RecvQueueMax > first.RecvQueueMax {
			f.RecvQueueMax = max(f.RecvQueueMax, last.RecvQueueMax)
		}
		out = append(out, f)
	}
	return out
}
