package replica

// Writers on every node of a Galera cluster: on each node one connection
// inserts a row of its own (its node, a sequence) into the rehearsal's
// scratch table every WriterInterval and records how long each insert
// took. A node whose commits wait — under TOI, for a DDL ordered before
// them, wherever it runs — shows it as one long write. The rows of
// different nodes never conflict (their keys differ), so certification
// failures are not stalls.

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// WriterInterval is the pause between one node writer's inserts.
var WriterInterval = 10 * time.Millisecond

// SlowWrite is the latency from which a node's write counts as stalled.
var SlowWrite = 100 * time.Millisecond

// Write is one insert of a node writer.
type Write struct {
	Start time.Time
	Took  time.Duration
	Err   string
}

// NodeWriters write on every node of a topology.
type NodeWriters struct {
	topo   *Topology
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	writes [][]Write
	// flow are every node's flow-control samples (flowcontrol.go).
	flow [][]FlowSample
	// waits are the pools Mark's causality waits use, one per node but
	// the first.
	waits []*sql.DB
	marks sync.WaitGroup
	last  *NodeMark
}

// NodeMark is a statement node-1 ran, and when every other node had
// applied it: under TOI a node runs the DDL when it reaches it in the
// cluster's order, later than node-1 when it is behind, and its writers
// wait until then.
type NodeMark struct {
	Start, End time.Time
	// Reached[i] is when node i+2 had applied everything the cluster had
	// committed when the statement ended (zero: not known, the window
	// ends with the statement).
	Reached []time.Time
	// Prev is the statement marked before (nil: the first).
	Prev *NodeMark
}

// writersTable is the node writers' table in the monitor's scratch
// database.
const writersTable = HeartbeatSchema + ".node_writes"

// NewNodeWriters prepares writers on every node of t.
func NewNodeWriters(t *Topology) *NodeWriters {
	n := len(t.Nodes())
	return &NodeWriters{topo: t, writes: make([][]Write, n), flow: make([][]FlowSample, n)}
}

// Setup creates the writers' table on the first node, replicated to every
// node whatever wsrep_OSU_method says (the session's is TOI), and waits
// until every node has it.
func (w *NodeWriters) Setup(ctx context.Context) error {
	db, err := w.topo.Primary.Server.Open("")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range []string{
		"SET SESSION wsrep_OSU_method = 'TOI'",
		"CREATE DATABASE IF NOT EXISTS " + HeartbeatSchema,
		"CREATE TABLE IF NOT EXISTS " + writersTable + " (node INT NOT NULL, seq BIGINT NOT NULL, at DATETIME(6) NOT NULL, PRIMARY KEY (node, seq)) ENGINE=InnoDB",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("galera writers: %s: %w", q, err)
		}
	}
	for _, n := range w.topo.Replicas {
		ndb, err := n.Server.Open("")
		if err != nil {
			return err
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			var c int
			err = ndb.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = 'node_writes'", HeartbeatSchema).Scan(&c)
			if err == nil && c == 1 {
				break
			}
			if time.Now().After(deadline) {
				ndb.Close()
				return fmt.Errorf("galera writers: %s has no %s after 30 s (%v)", n.Name, writersTable, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		ndb.Close()
	}
	return nil
}

// Start starts one writer and one flow-control sampler per node.
func (w *NodeWriters) Start(ctx context.Context) error {
	ctx, w.cancel = context.WithCancel(ctx)
	var dbs, flows []*sql.DB
	for range 2 {
		for _, n := range w.topo.Nodes() {
			db, err := n.Server.Open("")
			if err != nil {
				for _, d := range append(dbs, flows...) {
					d.Close()
				}
				w.cancel()
				return err
			}
			db.SetMaxOpenConns(1)
			if len(dbs) < len(w.topo.Nodes()) {
				dbs = append(dbs, db)
			} else {
				flows = append(flows, db)
			}
		}
	}
	for _, n := range w.topo.Replicas {
		db, err := n.Server.Open("")
		if err != nil {
			for _, d := range append(append(dbs, flows...), w.waits...) {
				d.Close()
			}
			w.cancel()
			return err
		}
		w.waits = append(w.waits, db)
	}
	for i, db := range dbs {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			defer db.Close()
			w.write(ctx, db, i)
		}()
	}
	for i, db := range flows {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			defer db.Close()
			w.sampleFlow(ctx, db, i)
		}()
	}
	return nil
}

func (w *NodeWriters) write(ctx context.Context, db *sql.DB, i int) {
	node := w.topo.Nodes()[i].ServerID
	q := "INSERT INTO " + writersTable + " (node, seq, at) VALUES (?, ?, NOW(6))"
	for seq := 1; ; seq++ {
		t0 := time.Now()
		_, err := db.ExecContext(ctx, q, node, seq)
		if ctx.Err() != nil {
			return
		}
		wr := Write{Start: t0, Took: time.Since(t0)}
		if err != nil {
			wr.Err = err.Error()
		}
		w.mu.Lock()
		w.writes[i] = append(w.writes[i], wr)
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(WriterInterval):
		}
	}
}

// Stop stops the writers and returns every node's writes (in the order
// of Topology.Nodes).
func (w *NodeWriters) Stop() [][]Write {
	w.marks.Wait()
	if w.cancel != nil {
		w.cancel()
	}
	w.wg.Wait()
	for _, db := range w.waits {
		db.Close()
	}
	w.waits = nil
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writes
}

// Flow returns every node's flow-control samples (in the order of
// Topology.Nodes); complete after Stop.
func (w *NodeWriters) Flow() [][]FlowSample {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flow
}

// Mark records a statement node-1 ran from start to end (just ended) and
// finds, in the background, when every other node had applied it: a read
// under wsrep_sync_wait returns once the node has applied what the
// cluster had committed when it was asked. Stop waits for the marks.
func (w *NodeWriters) Mark(ctx context.Context, start, end time.Time) *NodeMark {
	m := &NodeMark{Start: start, End: end, Reached: make([]time.Time, len(w.waits)), Prev: w.last}
	w.last = m
	for i, db := range w.waits {
		w.marks.Add(1)
		go func() {
			defer w.marks.Done()
			if WaitApplied(ctx, db) == nil {
				m.Reached[i] = time.Now()
			}
		}()
	}
	return m
}

// WaitApplied returns once the Galera node db is connected to has applied
// everything the cluster had committed when it was called: a read under
// wsrep_sync_wait=1 on a connection of its own.
func WaitApplied(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET SESSION wsrep_sync_wait = 1"); err != nil {
		return err
	}
	defer func() {
		// The connection goes back to the pool either way.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION wsrep_sync_wait = 0")
	}()
	var one int
	return conn.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// NodeStall is one node's writes while a statement ran.
type NodeStall struct {
	Node string
	// Writes are the inserts that overlapped the window; Slow those that
	// took SlowWrite or more; Longest the longest of them; Errors the
	// failed ones.
	Writes, Slow, Errors int
	Longest              time.Duration
	LongestAt            time.Time
}

// StallsIn are every node's writes that started while the statement m
// held them: node-1's from its start to its end, another node's from its
// start (or, when later, from when it had applied the statement before)
// until it had applied this one (at least its end); and a write
// in flight when the statement began that had started after the
// statement before let go of the node (a commit the DDL's place in the
// cluster's order holds back whenever it began: missing it would miss a
// node's whole stall when its writer was mid-write at the start).
func StallsIn(t *Topology, writes [][]Write, m *NodeMark) []NodeStall {
	var out []NodeStall
	for i, n := range t.Nodes() {
		s := NodeStall{Node: n.Name}
		from, to := m.Start, m.End
		if i > 0 && i-1 < len(m.Reached) && m.Reached[i-1].After(to) {
			to = m.Reached[i-1]
		}
		var free time.Time // when the statement before let go of the node
		if p := m.Prev; p != nil {
			free = p.End
			if i > 0 && i-1 < len(p.Reached) && p.Reached[i-1].After(free) {
				free = p.Reached[i-1]
			}
		}
		// A node still applying the statement before when this one began
		// on node-1: its writes until then are that one's (counted once,
		// as FlowIn's cluster window counts a pause once).
		if free.After(from) {
			from = free
		}
		if i < len(writes) {
			for _, wr := range writes[i] {
				// A write belongs to the statement it started in: one
				// that began before waited behind the one before (statements
				// run one after another), and is that one's — unless it
				// began after that one had let go and was still waiting
				// when this one started.
				inFlight := wr.Start.Before(from) && wr.Start.After(free) && !wr.Start.Add(wr.Took).Before(from)
				if wr.Start.Before(from) && !inFlight || wr.Start.After(to) {
					continue
				}
				s.Writes++
				if wr.Err != "" {
					s.Errors++
					continue
				}
				if wr.Took >= SlowWrite {
					s.Slow++
				}
				if wr.Took > s.Longest {
					s.Longest, s.LongestAt = wr.Took, wr.Start
				}
			}
		}
		out = append(out, s)
	}
	return out
}
