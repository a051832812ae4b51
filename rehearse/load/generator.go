package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/rehearse/rehearse/rehearse"
)

// Generator runs a Profile against a server. Use New, then Start once and
// Stop once; Window and Intervals may be called at any time in between
// and after.
type Generator struct {
	db    *sql.DB
	tpls  []Template
	opts  Options
	rate  float64
	rows  *rowMaker
	trows []tplRows // per template
	pools map[poolSpec]*keyPool
	lanes []*lane

	mu      sync.Mutex
	rec     *recorder
	started bool
	stopped bool
	result  *Result
	stopCh  chan struct{}
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// ErrNotStarted is returned by queries on a generator that never started.
var ErrNotStarted = errors.New("load generator not started")

// New checks the profile and options. db must allow at least as many open
// connections as the lanes use (SetMaxOpenConns 0 or large enough); the
// generator pins its connections for the whole run.
func New(db *sql.DB, p *Profile, opts Options) (*Generator, error) {
	opts.defaults()
	if p == nil || len(p.Templates) == 0 {
		return nil, rehearse.WithHint(errors.New("load: empty profile"), "build a profile with DefaultProfile or ProfileFromDigests")
	}
	if len(p.Templates) > 1<<16 {
		return nil, fmt.Errorf("load: %d templates, at most 65536", len(p.Templates))
	}
	rate := opts.Rate
	if rate <= 0 {
		rate = p.Rate
	}
	if rate <= 0 && !opts.ClosedLoop {
		return nil, rehearse.WithHint(errors.New("load: no rate"), "give a rate in ops/s (e.g. --load 500)")
	}
	g := &Generator{db: db, tpls: append([]Template(nil), p.Templates...), opts: opts, rate: rate,
		pools: map[poolSpec]*keyPool{}}
	var total float64
	for _, t := range g.tpls {
		if t.Weight < 0 {
			return nil, fmt.Errorf("load: template %s has a negative weight", t.Name())
		}
		total += t.Weight
	}
	if total == 0 {
		return nil, errors.New("load: every template has weight 0")
	}
	// One lane per table, in template order.
	byTable := map[string]*lane{}
	for i, t := range g.tpls {
		if t.Weight == 0 {
			continue
		}
		key := t.Schema + "." + t.Table
		l := byTable[key]
		if l == nil {
			l = &lane{g: g, name: key}
			byTable[key] = l
			g.lanes = append(g.lanes, l)
		}
		l.tpls = append(l.tpls, i)
		l.weight += t.Weight
		l.cum = append(l.cum, l.weight)
	}
	for _, l := range g.lanes {
		l.rate = rate * l.weight / total
		l.conns = opts.ConnsPerTable
		if l.conns <= 0 {
			l.conns = connsFor(l.rate)
		}
	}
	return g, nil
}

// Templates returns the generator's templates; Op.Template indexes it.
func (g *Generator) Templates() []Template { return g.tpls }

// Rate is the target total rate in ops/s.
func (g *Generator) Rate() float64 { return g.rate }

// Start samples existing keys, opens every lane's connections and starts
// the schedule; it returns once operations are being issued. The load runs
// until Stop or until ctx ends (Stop must still be called to release the
// connections and get the Result). An error leaves nothing running.
func (g *Generator) Start(ctx context.Context) error {
	g.mu.Lock()
	if g.started {
		g.mu.Unlock()
		return errors.New("load: generator already started")
	}
	g.started = true
	g.mu.Unlock()

	r := rand.New(rand.NewPCG(g.opts.Seed, 0x5eed))
	g.rows = newRowMaker(g.db, g.opts.Data, g.opts.Seed)
	trows, err := g.rows.prepare(ctx, g.tpls)
	if err != nil {
		return err
	}
	g.trows = trows
	for i := range g.tpls {
		t := &g.tpls[i]
		for _, s := range []poolSpec{t.pool, t.insertPool} {
			if s.Columns == "" || g.pools[s] != nil {
				continue
			}
			p := &keyPool{spec: s, max: g.opts.KeyPoolSize}
			if err := p.sample(ctx, g.db, r); err != nil {
				return err
			}
			g.pools[s] = p
		}
	}

	runCtx, cancel := context.WithCancel(ctx)
	var opened []*worker
	fail := func(err error) error {
		cancel()
		for _, w := range opened {
			w.close()
		}
		return err
	}
	for li, l := range g.lanes {
		for i := 0; i < l.conns; i++ {
			w := &worker{l: l, r: rand.New(rand.NewPCG(g.opts.Seed+uint64(li)<<20+uint64(i), 0xfeed))}
			if err := w.connect(runCtx); err != nil {
				return fail(fmt.Errorf("load: open connection %d of %s: %w", i+1, l.name, err))
			}
			opened = append(opened, w)
			l.workers = append(l.workers, w)
		}
	}
	start := time.Now()
	g.mu.Lock()
	g.rec = newRecorder(start, g.opts.Interval, g.tpls, g.opts.MaxOps)
	g.stopCh = make(chan struct{})
	g.cancel = cancel
	g.mu.Unlock()
	for _, l := range g.lanes {
		l.start = start
		if l.rate > 0 {
			l.period = float64(time.Second) / l.rate
		}
		for _, w := range l.workers {
			g.wg.Add(1)
			go w.run(runCtx, g.stopCh)
		}
	}
	return nil
}

// Stop stops scheduling, lets running operations finish for up to
// Options.DrainTimeout, cancels the rest (recorded as Canceled with their
// latency up to then), records the operations that were due but never
// started as Canceled (Result.Behind), closes every connection and returns
// the Result.
// It waits for every goroutine the generator started. Calling Stop again
// returns the same Result; Stop before Start returns nil.
func (g *Generator) Stop() *Result {
	g.mu.Lock()
	if g.stopped || !g.started || g.rec == nil {
		res := g.result
		g.mu.Unlock()
		return res
	}
	g.stopped = true
	close(g.stopCh)
	closed := time.Now()
	g.mu.Unlock()

	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	t := time.NewTimer(g.opts.DrainTimeout)
	select {
	case <-done:
	case <-t.C:
		g.cancel()
		<-done
	}
	t.Stop()
	g.cancel()
	for _, l := range g.lanes {
		for _, w := range l.workers {
			w.close()
		}
	}
	behind := g.recordBacklog(closed)
	stopped := time.Now()
	res := &Result{Started: g.rec.start, Stopped: stopped, Rate: g.rate, Templates: g.tpls, Behind: behind, v: g.rec.view(stopped)}
	res.Intervals = res.v.intervals
	res.Writes, res.Reads = res.v.writes, res.v.reads
	g.mu.Lock()
	g.result = res
	g.mu.Unlock()
	return res
}

// recordBacklog records the operations that were due before the schedule
// stopped at closed but that no connection had started (every connection
// of their lane was busy): Canceled, with their wait up to closed, so a
// lane that fell behind shows it instead of dropping its tail. It returns
// how many there were.
func (g *Generator) recordBacklog(closed time.Time) int64 {
	if g.opts.ClosedLoop {
		return 0
	}
	var n int64
	r := rand.New(rand.NewPCG(g.opts.Seed, 0xbac))
	for _, l := range g.lanes {
		if l.period <= 0 {
			continue
		}
		for i := l.next.Load(); ; i++ {
			sched := l.start.Add(time.Duration(float64(i) * l.period))
			if !sched.Before(closed) {
				break
			}
			g.rec.record(l.pick(r), sched, closed, Canceled, nil)
			n++
		}
	}
	return n
}

// Started is when the schedule began (zero before Start succeeds).
func (g *Generator) Started() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.rec == nil {
		return time.Time{}
	}
	return g.rec.start
}

// Window returns the statistics of the operations scheduled in
// [from, to), computed exactly from the op log. Operations still running
// are left out (see InFlight). Before Start it returns ErrNotStarted.
func (g *Generator) Window(from, to time.Time) (WindowStats, error) {
	g.mu.Lock()
	rec := g.rec
	g.mu.Unlock()
	if rec == nil {
		return WindowStats{}, ErrNotStarted
	}
	return window(rec.view(time.Now()), g.tpls, from, to), nil
}

// Intervals returns the summaries of every interval closed so far.
func (g *Generator) Intervals() []Interval {
	g.mu.Lock()
	rec := g.rec
	g.mu.Unlock()
	if rec == nil {
		return nil
	}
	return rec.view(time.Now()).intervals
}

// InFlight returns the operations running now and how long each has
// waited since its scheduled start, longest first is not guaranteed.
func (g *Generator) InFlight() []Op {
	now := time.Now()
	var out []Op
	for _, l := range g.lanes {
		for _, w := range l.workers {
			if s, tpl, ok := w.current(); ok {
				out = append(out, Op{Start: s.Sub(l.start), Latency: now.Sub(s), Template: tpl, Class: Canceled})
			}
		}
	}
	return out
}
