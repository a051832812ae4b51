package locks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Options tune a Monitor. Zero values take the defaults.
type Options struct {
	// Interval between metadata-lock samples (10 ms).
	Interval time.Duration
	// SlowInterval between row-lock samples (250 ms; never below 100 ms:
	// MariaDB's INNODB_TRX refreshes at most that often). Negative turns
	// row-lock sampling off.
	SlowInterval time.Duration
	// MinSamples is how many consecutive samples a wait needs to count (2).
	MinSamples int
	// Source forces a metadata-lock source by name
	// ("performance_schema.metadata_locks", "processlist"); "" picks the
	// best available.
	Source string
	// StatementLimit truncates recorded statements (512 bytes).
	StatementLimit int
}

func (o *Options) defaults() {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Millisecond
	}
	if o.SlowInterval == 0 {
		o.SlowInterval = 250 * time.Millisecond
	}
	if o.SlowInterval > 0 && o.SlowInterval < 100*time.Millisecond {
		o.SlowInterval = 100 * time.Millisecond
	}
	if o.MinSamples <= 0 {
		o.MinSamples = 2
	}
	if o.StatementLimit <= 0 {
		o.StatementLimit = 512
	}
}

// Monitor samples lock waits on its own connection. Start it once, Stop it
// once; Result may be called at any time for the waits so far.
type Monitor struct {
	db   *sql.DB
	opts Options

	mu       sync.Mutex
	started  time.Time
	stopped  time.Time
	tr       *tracker
	samples  int64
	cost     time.Duration
	lastMDL  time.Time
	maxGap   time.Duration
	errs     int64
	lastErr  error
	mdl      source
	row      source
	notes    []string
	cancel   context.CancelFunc
	done     chan struct{}
	result   *Result
	running  bool
	finished bool
}

// New makes a monitor of the server behind db; it uses one connection of
// db's pool for as long as it runs.
func New(db *sql.DB, opts Options) *Monitor {
	opts.defaults()
	return &Monitor{db: db, opts: opts}
}

// Start opens the monitor's connection, picks the best source the server
// offers and starts sampling; it returns once the first sample is taken.
// The monitor runs until Stop or until ctx ends (Stop must still be called
// to release the connection). When no source works it returns an error and
// leaves nothing running.
func (m *Monitor) Start(ctx context.Context) error {
	m.mu.Lock()
	if m.running || m.finished {
		m.mu.Unlock()
		return errors.New("locks: monitor already started")
	}
	m.running = true
	m.mu.Unlock()
	fail := func(err error) error {
		m.mu.Lock()
		m.running = false
		m.mu.Unlock()
		return err
	}
	c, err := m.db.Conn(ctx)
	if err != nil {
		return fail(fmt.Errorf("locks: open the monitor's connection: %w", err))
	}
	var self int64
	var version string
	if err := c.QueryRowContext(ctx, "SELECT CONNECTION_ID(), VERSION()").Scan(&self, &version); err != nil {
		c.Close()
		return fail(fmt.Errorf("locks: %w", err))
	}
	flavor := "mysql"
	if strings.Contains(strings.ToLower(version), "mariadb") {
		flavor = "mariadb"
	}
	mdlInfo, skipped, err := pickSource(ctx, c, flavor, MetadataLock, m.opts.Source)
	if err != nil {
		c.Close()
		return fail(fmt.Errorf("locks: %w", err))
	}
	m.notes = append(m.notes, skipped...)
	timing, err := pickTiming(ctx, c, flavor)
	if err != nil {
		c.Close()
		return fail(fmt.Errorf("locks: read the server's clock: %w", err))
	}
	if timing.mode == noTiming {
		m.notes = append(m.notes, "no statement clock (performance_schema events_statements_current is off): wait boundaries are sampling midpoints")
	}
	cfg := srcConfig{self: self, flavor: flavor, limit: m.opts.StatementLimit, timing: timing}
	m.mdl = mdlInfo.new(cfg)
	if m.opts.SlowInterval > 0 {
		if ri, skipped, err := pickSource(ctx, c, flavor, RowLock, ""); err == nil {
			m.row = ri.new(cfg)
		} else {
			m.notes = append(m.notes, skipped...)
		}
	}
	m.tr = newTracker(m.opts.MinSamples)
	m.started = time.Now()
	m.sampleOnce(ctx, c, m.mdl)
	runCtx, cancel := context.WithCancel(ctx)
	m.cancel = cancel
	m.done = make(chan struct{})
	go m.loop(runCtx, c)
	return nil
}

func (m *Monitor) loop(ctx context.Context, c *sql.Conn) {
	defer close(m.done)
	defer c.Close()
	tick := time.NewTicker(m.opts.Interval)
	defer tick.Stop()
	var slow <-chan time.Time
	if m.row != nil {
		st := time.NewTicker(m.opts.SlowInterval)
		defer st.Stop()
		slow = st.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			m.sampleOnce(ctx, c, m.mdl)
		case <-slow:
			m.sampleOnce(ctx, c, m.row)
		}
	}
}

// sampleOnce takes one sample of src, bracketed by the times its query was
// sent and answered; when waits ended, it asks the server when their
// statements ended.
func (m *Monitor) sampleOnce(ctx context.Context, c *sql.Conn, src source) {
	t0 := time.Now()
	obs, err := src.sample(ctx, c, nil)
	t1 := time.Now()
	m.mu.Lock()
	if err != nil {
		if ctx.Err() == nil {
			m.errs++
			m.lastErr = err
		}
		m.mu.Unlock()
		return // a failed sample says nothing: waits stay open
	}
	m.samples++
	m.cost += t1.Sub(t0)
	if src == m.mdl {
		if !m.lastMDL.IsZero() && t1.Sub(m.lastMDL) > m.maxGap {
			m.maxGap = t1.Sub(m.lastMDL)
		}
		m.lastMDL = t1
	}
	es := m.tr.observe(src.name(), sampleTime{t0, t1}, obs)
	m.mu.Unlock()
	en, ok := src.(ender)
	if len(es) == 0 || !ok {
		return
	}
	reqs := make([]endReq, len(es))
	for i, e := range es {
		reqs[i] = e.req
	}
	ans, err := en.ends(ctx, c, reqs)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			m.errs++
			m.lastErr = err
		}
		return // the sampling midpoints stand
	}
	m.tr.refine(es, ans)
}

// Stop stops sampling, waits for the sampler and releases its connection,
// and returns the Result: waits still in progress are closed at the stop
// time and marked Open. Calling it again returns the same Result; before
// Start it returns nil.
func (m *Monitor) Stop() *Result {
	m.mu.Lock()
	if m.finished || !m.running {
		r := m.result
		m.mu.Unlock()
		return r
	}
	m.finished = true
	m.mu.Unlock()
	m.cancel()
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = time.Now()
	m.result = m.resultLocked(m.stopped)
	return m.result
}

// Result returns the waits so far (the final result after Stop).
func (m *Monitor) Result() *Result {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.result != nil {
		return m.result
	}
	if m.tr == nil {
		return nil
	}
	return m.resultLocked(time.Now())
}

func (m *Monitor) resultLocked(now time.Time) *Result {
	r := &Result{Started: m.started, Stopped: now, Source: m.mdl.name(), Samples: m.samples,
		Blips: m.tr.blips, SampleErrors: m.errs, Notes: append([]string(nil), m.notes...), Waits: m.tr.snapshot(now)}
	if m.row != nil {
		r.RowSource = m.row.name()
	}
	r.MaxSampleGap = m.maxGap
	r.ServerStarts, r.ServerEnds = m.tr.serverStarts, m.tr.serverEnds
	if m.samples > 0 {
		r.MeanSampleCost = m.cost / time.Duration(m.samples)
	}
	if m.lastErr != nil {
		r.LastSampleError = m.lastErr.Error()
	}
	return r
}
