package run

// What rehearse compare's strategies share. Each strategy is rehearsed on
// its own server, started on a copy of the same filled datadir, under the
// same load; what is provably the same for every strategy is measured once,
// by the first strategy's rehearsal that gets to it, and each later one says
// what it took (report.strategy.shared):
//
//   - the probe (the server's ALGORITHM/LOCK answers on the empty tables): a
//     function of the server's build and settings, the schema and the
//     statements, the same for every strategy (the strategy changes how a
//     statement runs, not what the server answers about it);
//   - the baseline (the writes' latency before the release), when this
//     rehearsal's changed tables have the first's checksums (taken before
//     the load) and its load is the same (profile, rate, connections, seed:
//     loadPrint). The load still runs CompareWarmup before the first
//     statement, so the statement meets a running load as the first did;
//   - the next strategy's server is started while the previous rehearsal
//     finishes: from the end of its migrate phase, through its app-compat
//     check (which counts errors, not time), and finished before its downs
//     run (they are measured), its verdict and teardown;
//   - the previous strategy's server stops while the next rehearsal gets
//     ready (its data checked, its checksums taken, its load started), and
//     is gone before the next baseline (or warm-up) begins.
//
// Nothing of a statement's window is shared: each strategy's figures are
// its own.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/rehearse/rehearse/rehearse/datacache"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
)

// CompareWarmup is how long a later strategy's load runs before its first
// statement when the baseline is the first strategy's.
var CompareWarmup = time.Second

// compareShare is what Compare's rehearsals share; the first to measure a
// thing fills it, the later ones read it.
type compareShare struct {
	probesFrom string // the strategy whose rehearsal probed
	probes     map[string][]plan.Probe

	baselineFrom string // the strategy whose rehearsal measured the baseline
	baseline     *result.Window
	checksums    map[string]string // its changed tables' CHECKSUM TABLE before the load
	load         string            // its loadPrint

	// prev is the server started for this rehearsal while the previous
	// one finished; next the one this rehearsal starts for the next
	// strategy, with startNext (Compare sets it for every rehearsal but
	// the last; the rehearsal calls it when its migrate phase ends).
	// Compare sets them between rehearsals, which run one at a time.
	prev, next *prestart
	startNext  func()

	// stops are servers of finished rehearsals, stopping.
	stops sync.WaitGroup
}

// stopLater stops srv in the background (stopsDone waits for it).
func (sh *compareShare) stopLater(srv *engine.Server, logf func(string, ...any)) {
	sh.stops.Add(1)
	go func() {
		defer sh.stops.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			logf("teardown: %v", err)
		}
	}()
}

// previousStopped waits until the earlier rehearsals' servers are gone, so
// this one's load is measured on a machine they no longer share.
func (r *rehearsal) previousStopped() {
	sh := r.opts.share
	if sh == nil {
		return
	}
	t0 := time.Now()
	sh.stops.Wait()
	if d := time.Since(t0); d > 10*time.Millisecond {
		r.logf("compare: waited %s for the previous strategy's server to stop", round(d))
	}
}

// prestart is a server being started on a copy of the data cache's entry
// for the next strategy, while the previous rehearsal finishes.
type prestart struct {
	done    chan struct{}
	entry   string // the entry's id
	srv     *engine.Server
	err     error
	from    string // the strategy whose rehearsal was finishing
	took    time.Duration
	once    sync.Once
	claimed bool
}

// startNextServer starts, in the background, the server the next
// strategy's rehearsal would start from the data cache: the same key and
// entry as fromCache. Nil when there is no cache entry to start from (no
// cache, the dsn engine, or nothing kept yet): the next rehearsal then
// provisions as usual.
func startNextServer(ctx context.Context, o Options, from string) *prestart {
	if o.DataCache == nil || o.Engine == nil || o.Engine.Name() == "dsn" {
		return nil
	}
	r := &rehearsal{opts: o}
	key, err := datacache.KeyFor(ctx, o.Engine, o.EngineOptions, r.cacheData())
	if err != nil {
		return nil
	}
	e, err := o.DataCache.Lookup(ctx, key)
	if err != nil || e == nil {
		return nil
	}
	p := &prestart{done: make(chan struct{}), entry: e.Manifest.ID, from: from}
	go func() {
		defer close(p.done)
		t0 := time.Now()
		p.srv, p.err = e.Start(ctx, o.Engine, o.EngineOptions, o.Snapshot)
		p.took = time.Since(t0)
	}()
	return p
}

// wait blocks until the server has started (or failed to).
func (p *prestart) wait() {
	if p != nil {
		<-p.done
	}
}

// claim hands the server over to a rehearsal starting from entry: nil when
// it failed or is of another entry (the caller starts its own).
func (p *prestart) claim(entry string) *engine.Server {
	if p == nil {
		return nil
	}
	p.wait()
	if p.err != nil || p.srv == nil || p.entry != entry || p.claimed {
		return nil
	}
	p.claimed = true
	return p.srv
}

// release stops the server when no rehearsal claimed it.
func (p *prestart) release() {
	if p == nil {
		return
	}
	p.once.Do(func() {
		p.wait()
		if !p.claimed && p.srv != nil {
			stopQuietly(p.srv)
		}
	})
}

// sharedProbes takes the probe of an earlier strategy's rehearsal, or
// records this one's for the later ones. It reports whether it took them.
func (r *rehearsal) sharedProbes() bool {
	sh := r.opts.share
	if sh == nil || sh.probes == nil {
		return false
	}
	r.probes = maps.Clone(sh.probes)
	r.skippedAs("probe", PhaseShared, fmt.Sprintf("the %s rehearsal's answers: the same server build and settings, schema and statements", sh.probesFrom))
	r.sharedNote(fmt.Sprintf("probe: the %s rehearsal's ALGORITHM/LOCK answers (the same server build and settings, schema and statements)", sh.probesFrom))
	return true
}

// recordProbes keeps this rehearsal's probe for the later strategies.
func (r *rehearsal) recordProbes() {
	if sh := r.opts.share; sh != nil && sh.probes == nil && r.probes != nil {
		sh.probes, sh.probesFrom = maps.Clone(r.probes), r.strategyName()
	}
}

// sharedBaseline says whether this rehearsal takes the baseline of an
// earlier strategy's: its changed tables' checksums and its load are that
// rehearsal's. why says why not, when it does not.
func (r *rehearsal) sharedBaseline() (ok bool, why string) {
	sh := r.opts.share
	if sh == nil || sh.baseline == nil {
		return false, ""
	}
	var sums map[string]string
	if r.report.Strategy != nil {
		sums = r.report.Strategy.Checksums
	}
	switch {
	case len(sums) == 0 || !maps.Equal(sums, sh.checksums):
		return false, fmt.Sprintf("the changed tables' checksums differ from the %s rehearsal's: measured again", sh.baselineFrom)
	case r.loadPrint() != sh.load:
		return false, fmt.Sprintf("the load differs from the %s rehearsal's: measured again", sh.baselineFrom)
	}
	return true, ""
}

// recordBaseline keeps this rehearsal's baseline for the later strategies.
func (r *rehearsal) recordBaseline() {
	sh := r.opts.share
	if sh == nil || sh.baseline != nil || r.report.Baseline == nil || r.report.Strategy == nil || len(r.report.Strategy.Checksums) == 0 {
		return
	}
	b := *r.report.Baseline
	sh.baseline, sh.baselineFrom = &b, r.strategyName()
	sh.checksums, sh.load = maps.Clone(r.report.Strategy.Checksums), r.loadPrint()
}

// loadPrint digests what the load does: its statements and their weights,
// rate, connections and seed.
func (r *rehearsal) loadPrint() string {
	if r.profile == nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "rate %g conns %d seed %d\n", r.opts.loadRate(), r.opts.loadConns(), r.opts.Seed)
	for _, t := range r.profile.Templates {
		fmt.Fprintf(h, "%d %s.%s %g %s\n", t.Kind, t.Schema, t.Table, t.Weight, t.SQL)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// startNext starts the next strategy's server, once.
func (r *rehearsal) startNext() {
	if sh := r.opts.share; sh != nil && sh.startNext != nil {
		f := sh.startNext
		sh.startNext = nil
		f()
	}
}

// nextStarted waits for the next strategy's server, so it starts on a
// quiet machine no measured phase of this rehearsal shares.
func (r *rehearsal) nextStarted() {
	if sh := r.opts.share; sh != nil {
		sh.nextStartedFor(r)
	}
}

func (sh *compareShare) nextStartedFor(r *rehearsal) {
	if sh.next == nil {
		return
	}
	t0 := time.Now()
	sh.next.wait()
	if d := time.Since(t0); d > 10*time.Millisecond {
		r.logf("compare: waited %s for the next strategy's server before the downs", round(d))
	}
}

// prestarted is the server started for this rehearsal while the previous
// strategy's finished, when it is of entry e.
func (r *rehearsal) prestarted(e *datacache.Entry) (*engine.Server, string) {
	sh := r.opts.share
	if sh == nil || sh.prev == nil {
		return nil, ""
	}
	p := sh.prev
	srv := p.claim(e.Manifest.ID)
	if srv == nil {
		if p.err != nil && !errors.Is(p.err, context.Canceled) {
			r.logf("compare: the server started meanwhile failed (%v): starting another", p.err)
		}
		return nil, ""
	}
	how := fmt.Sprintf("started in %s while the %s rehearsal finished", round(p.took), p.from)
	r.sharedNote("provision: the server was " + how + " (after its migrate phase)")
	return srv, how
}

func (r *rehearsal) sharedNote(s string) {
	if r.report.Strategy != nil {
		r.report.Strategy.Shared = append(r.report.Strategy.Shared, s)
		return
	}
	r.pendingShared = append(r.pendingShared, s)
}

func (r *rehearsal) strategyName() string {
	if r.opts.Strategy.Name == "" {
		return StrategyNative
	}
	return r.opts.Strategy.Name
}

// PhaseShared is the status of a phase an earlier strategy's rehearsal did
// for this one (rehearse compare).
const PhaseShared = "shared"

func (r *rehearsal) skippedAs(name, status, detail string) {
	r.report.Phases = append(r.report.Phases, result.Phase{Name: name, StartS: r.since(time.Now()), Status: status, Detail: detail})
}
