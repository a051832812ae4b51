package datagen

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// runner loads the planned tables, Parallel at a time, and reports progress.
type runner struct {
	db      *sql.DB
	o       Options
	useLoad bool
	plans   []*tablePlan
	start   time.Time

	mu      sync.Mutex
	results []TableResult
	started []*tablePlan
	states  []*tableState
}

type tableState struct {
	p       *tablePlan
	sent    atomic.Int64
	state   atomic.Value // string
	began   atomic.Int64 // unix nanos
	elapsed atomic.Int64
}

func (r *runner) loadAll(ctx context.Context) error {
	// Biggest first: with foreign-key checks off the order does not matter
	// for correctness, and this order finishes soonest.
	order := append([]*tablePlan(nil), r.plans...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].rows > order[j].rows })
	for _, p := range order {
		st := &tableState{p: p}
		st.state.Store("waiting")
		r.states = append(r.states, st)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	progressDone := make(chan struct{})
	stopProgress := make(chan struct{})
	go func() {
		defer close(progressDone)
		r.progressLoop(stopProgress)
	}()

	work := make(chan *tableState)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for w := 0; w < r.o.Parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for st := range work {
				if ctx.Err() != nil {
					continue
				}
				if err := r.loadTable(ctx, st); err != nil {
					st.state.Store("failed")
					errOnce.Do(func() { firstErr = err; cancel() })
				}
			}
		}()
	}
	for _, st := range r.states {
		work <- st
	}
	close(work)
	wg.Wait()
	close(stopProgress)
	<-progressDone
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	sort.Slice(r.results, func(i, j int) bool {
		return r.results[i].Schema+"."+r.results[i].Table < r.results[j].Schema+"."+r.results[j].Table
	})
	return firstErr
}

// loadTable loads one table on its own connection.
func (r *runner) loadTable(ctx context.Context, st *tableState) (err error) {
	p := st.p
	res := TableResult{Schema: p.schema, Table: p.name, Requested: int64(p.requested)}
	t0 := time.Now()
	st.began.Store(t0.UnixNano())
	defer func() {
		res.Elapsed = time.Since(t0)
		st.elapsed.Store(int64(res.Elapsed))
		r.mu.Lock()
		r.results = append(r.results, res)
		r.mu.Unlock()
	}()
	if p.rows == 0 {
		st.state.Store("done")
		return nil
	}
	r.mu.Lock()
	r.started = append(r.started, p)
	r.mu.Unlock()
	st.state.Store("loading")

	conn, err := r.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect for %s: %w", p.qname(), err)
	}
	// The session is changed (checks off, time zone): never hand it back to
	// the pool.
	defer discard(conn)
	for _, s := range sessionSQL(p) {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("prepare session for %s: %w", p.qname(), err)
		}
	}
	var dropped *droppedIndexes
	if wantsRebuild(r.o.IndexStrategy, p) {
		if dropped, err = dropSecondary(ctx, conn, p); err != nil {
			return err
		}
		res.IndexRebuild = dropped != nil
	}
	rd := &rowReader{ctx: ctx, in: p.instance(0), cols: p.loadCols(), end: p.rows, sent: &st.sent, pipelined: r.useLoad && pipelineLoads}
	defer rd.Close()
	var n int64
	if r.useLoad {
		n, err = loadData(ctx, conn, p, rd)
	} else {
		n, err = insertRows(ctx, conn, p, rd, 1<<20)
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // the reader stopped early: the server took a partial table
	}
	if err == nil {
		if w, sample := warnings(ctx, conn); w > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: the server raised %d warning(s) while loading, e.g. %v", p.qname(), w, sample))
		}
	}
	if dropped != nil {
		st.state.Store("indexing")
		rctx := ctx
		if err != nil {
			rctx = context.WithoutCancel(ctx)
		}
		if rerr := dropped.restore(rctx, r.db); rerr != nil && err == nil {
			err = rerr
		}
	}
	res.Rows = n
	if err != nil && ctx.Err() != nil {
		return ctx.Err() // cancelled: the driver's own error says less
	}
	if err != nil {
		return classify(err, p.qname(), st.sent.Load())
	}
	if uint64(n) != p.rows {
		res.Notes = append(res.Notes, fmt.Sprintf("%s: %d of %d generated rows were kept (the server skipped the rest: see the constraints above)", p.qname(), n, p.rows))
	}
	st.state.Store("done")
	return nil
}

// pipelineLoads generates rows ahead of the driver in a goroutine (off only
// to measure what it buys).
var pipelineLoads = true

// discard closes a connection without returning it to the pool.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}

// emptyStarted truncates every table the run wrote to (after a failure or
// Ctrl-C), so no half-filled table is left behind.
func (r *runner) emptyStarted(ctx context.Context) {
	r.mu.Lock()
	started := append([]*tablePlan(nil), r.started...)
	r.mu.Unlock()
	var names []string
	for _, p := range started {
		names = append(names, p.db+"."+p.name)
	}
	_ = truncateTables(ctx, r.db, names)
}

// truncateTables empties tables on a session with foreign-key checks off (a
// parent table cannot be truncated otherwise).
func truncateTables(ctx context.Context, db *sql.DB, names []string) error {
	if len(names) == 0 {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer discard(conn)
	if _, err := conn.ExecContext(ctx, "SET SESSION foreign_key_checks=0"); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := conn.ExecContext(ctx, "TRUNCATE TABLE "+quoteQualified(n)); err != nil {
			return fmt.Errorf("empty %s: %w", n, err)
		}
	}
	return nil
}

// ProgressEvery is the default progress interval.
var ProgressEvery = 250 * time.Millisecond

func (r *runner) progressLoop(stop <-chan struct{}) {
	if r.o.Progress == nil {
		<-stop
		return
	}
	every := r.o.ProgressEvery
	if every <= 0 {
		every = ProgressEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			r.o.Progress(r.snapshot(true))
			return
		case <-t.C:
			r.o.Progress(r.snapshot(false))
		}
	}
}

func (r *runner) snapshot(done bool) Progress {
	pr := Progress{Elapsed: time.Since(r.start), Done: done}
	for _, st := range r.states {
		tp := TableProgress{Table: st.p.qname(), Rows: st.sent.Load(), Total: int64(st.p.rows), State: st.state.Load().(string)}
		if b := st.began.Load(); b > 0 {
			if e := st.elapsed.Load(); e > 0 {
				tp.Elapsed = time.Duration(e)
			} else {
				tp.Elapsed = time.Since(time.Unix(0, b))
			}
		}
		pr.Tables = append(pr.Tables, tp)
		pr.Rows += tp.Rows
		pr.Total += tp.Total
	}
	return pr
}
