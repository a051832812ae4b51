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
}

// writersTable is the node writers' table in the monitor's scratch
// database.
const writersTable = HeartbeatSchema + ".node_writes"

// NewNodeWriters prepares writers on every node of t.
func NewNodeWriters(t *Topology) *NodeWriters {
	return &NodeWriters{topo: t, writes: make([][]Write, len(t.Nodes()))}
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

// Start starts one writer per node.
func (w *NodeWriters) Start(ctx context.Context) error {
	ctx, w.cancel = context.WithCancel(ctx)
	var dbs []*sql.DB
	for _, n := range w.topo.Nodes() {
		db, err := n.Server.Open("")
		if err != nil {
			for _, d := range dbs {
				d.Close()
			}
			w.cancel()
			return err
		}
		db.SetMaxOpenConns(1)
		dbs = append(dbs, db)
	}
	for i, db := range dbs {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			defer db.Close()
			w.write(ctx, db, i)
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
	if w.cancel != nil {
		w.cancel()
	}
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writes
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

// StallsIn are every node's writes that overlapped [from, to].
func StallsIn(t *Topology, writes [][]Write, from, to time.Time) []NodeStall {
	var out []NodeStall
	for i, n := range t.Nodes() {
		s := NodeStall{Node: n.Name}
		if i < len(writes) {
			for _, wr := range writes[i] {
				if wr.Start.After(to) || wr.Start.Add(wr.Took).Before(from) {
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
