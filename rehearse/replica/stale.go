package replica

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// Stale reads. The reader sends reads to the replicas (round robin, at a
// rate) the way an application reads from them: one row by its key. Each
// read asks for the newest row the load inserted on the primary whose
// INSERT the primary acknowledged at least StaleAfter before the read was
// sent. The read is stale when the replica does not return that row while
// the primary still has it (checked right after, so a row the load deleted
// meanwhile is never counted). A read of a row younger than StaleAfter is
// never sent: replicas are asynchronous, and a read-after-write within that
// window is the application's choice to make, not a failure.

// DefaultStaleAfter is the age from which a row missing on a replica makes
// a read stale.
var DefaultStaleAfter = time.Second

// ReaderOptions tune a Reader.
type ReaderOptions struct {
	Rate       float64       // reads/s over all replicas
	StaleAfter time.Duration // 0 = DefaultStaleAfter
}

// Read is one read sent to a replica.
type Read struct {
	T       time.Time // sent
	Replica int       // index in Topology.Replicas
	Age     time.Duration
	Stale   bool
	Err     string
}

// Reader sends reads to the replicas and counts stale ones.
type Reader struct {
	t    *Topology
	opts ReaderOptions

	mu      sync.Mutex
	recent  [4096]inserted // a ring of the newest inserts
	n       uint64
	reads   []Read
	skipped int64 // reads not sent: no insert old enough yet
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	stopped bool
}

type inserted struct {
	table string // `schema`.`table`
	cols  []string
	key   []any
	at    time.Time
}

// NewReader prepares a reader of t's replicas.
func NewReader(t *Topology, opts ReaderOptions) *Reader {
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = DefaultStaleAfter
	}
	return &Reader{t: t, opts: opts}
}

// Inserted records an insert the primary acknowledged (load.Options'
// OnInsert).
func (r *Reader) Inserted(schema, table string, cols []string, key []any, acked time.Time) {
	r.mu.Lock()
	r.recent[r.n%uint64(len(r.recent))] = inserted{table: mysqlkit.Quote(schema) + "." + mysqlkit.Quote(table), cols: cols, key: key, at: acked}
	r.n++
	r.mu.Unlock()
}

// target is the newest insert acknowledged at or before cutoff.
func (r *Reader) target(cutoff time.Time) (inserted, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	size := uint64(len(r.recent))
	for i := uint64(0); i < size && i < r.n; i++ {
		in := r.recent[(r.n-1-i)%size]
		if !in.at.After(cutoff) {
			return in, true
		}
	}
	return inserted{}, false
}

// Start sends reads until Stop.
func (r *Reader) Start(ctx context.Context) error {
	if r.opts.Rate <= 0 || len(r.t.Replicas) == 0 {
		return nil
	}
	pdb, err := r.t.Primary.Server.Open("")
	if err != nil {
		return err
	}
	pdb.SetMaxOpenConns(2)
	var dbs []*sql.DB
	for _, n := range r.t.Replicas {
		db, err := n.Server.Open("")
		if err != nil {
			pdb.Close()
			for _, d := range dbs {
				d.Close()
			}
			return err
		}
		db.SetMaxOpenConns(4)
		dbs = append(dbs, db)
	}
	rctx, cancel := context.WithCancel(ctx)
	r.cancel = cancel
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer pdb.Close()
		defer func() {
			for _, d := range dbs {
				d.Close()
			}
		}()
		period := time.Duration(float64(time.Second) / r.opts.Rate)
		start := time.Now()
		var inflight sync.WaitGroup
		defer inflight.Wait()
		for i := 0; ; i++ {
			due := start.Add(time.Duration(i) * period)
			select {
			case <-rctx.Done():
				return
			case <-time.After(time.Until(due)):
			}
			rep := i % len(dbs)
			inflight.Add(1)
			go func() {
				defer inflight.Done()
				r.read(rctx, dbs[rep], pdb, rep)
			}()
		}
	}()
	return nil
}

func (r *Reader) read(ctx context.Context, db, pdb *sql.DB, rep int) {
	now := time.Now()
	in, ok := r.target(now.Add(-r.opts.StaleAfter))
	if !ok {
		r.mu.Lock()
		r.skipped++
		r.mu.Unlock()
		return
	}
	q, args := lookup(in)
	rd := Read{T: now, Replica: rep, Age: now.Sub(in.at)}
	var one int
	err := db.QueryRowContext(ctx, q, args...).Scan(&one)
	switch {
	case ctx.Err() != nil:
		return
	case err == sql.ErrNoRows:
		// Missing on the replica: stale if the primary still has it.
		if perr := pdb.QueryRowContext(ctx, q, args...).Scan(&one); perr == nil {
			rd.Stale = true
		} else if perr != sql.ErrNoRows {
			if ctx.Err() != nil {
				return
			}
			rd.Err = perr.Error()
		} else {
			return // deleted meanwhile: not a read of this test
		}
	case err != nil:
		rd.Err = err.Error()
	}
	r.mu.Lock()
	r.reads = append(r.reads, rd)
	r.mu.Unlock()
}

func lookup(in inserted) (string, []any) {
	conds := make([]string, len(in.cols))
	for i, c := range in.cols {
		conds[i] = mysqlkit.Quote(c) + " <=> ?"
	}
	return fmt.Sprintf("SELECT 1 FROM %s WHERE %s LIMIT 1", in.table, strings.Join(conds, " AND ")), in.key
}

// Stop stops sending, waits for the reads in flight and returns every read
// and how many were not sent for want of a row old enough.
func (r *Reader) Stop() ([]Read, int64) {
	r.mu.Lock()
	if r.stopped {
		defer r.mu.Unlock()
		return r.reads, r.skipped
	}
	r.stopped = true
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reads, r.skipped
}

// StaleIn counts the reads of replica rep sent between from and to, and
// the stale ones among them.
func StaleIn(reads []Read, rep int, from, to time.Time) (n, stale int64) {
	for _, rd := range reads {
		if rd.Replica != rep || rd.T.Before(from) || rd.T.After(to) || rd.Err != "" {
			continue
		}
		n++
		if rd.Stale {
			stale++
		}
	}
	return n, stale
}
