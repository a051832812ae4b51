package run

// The sandbox and its data: provision, restore, probe, generate — or, when
// the data cache (Options.DataCache) holds a filled datadir for this
// snapshot, scale, seed and server, a server started on a copy of it. On a
// cache miss the freshly filled datadir is kept (phase "cache") and the
// rehearsal goes on on a copy of it, so a rehearsal measures the same kind
// of server (started on a copy of a cleanly shut down datadir) whether the
// data came from the cache or not. The report is the same either way apart
// from its phases: restore and generate say "from cache (key …)".

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/datacache"
	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/rehearse/result"
)

// PhaseCached is the status of a phase whose work the data cache did.
const PhaseCached = "cached"

// prepare provisions the sandbox and fills it, from the cache when it can.
func (r *rehearsal) prepare(ctx context.Context, pending []*migrations.Migration, eo engine.Options, schema string) error {
	o := r.opts
	data := r.cacheData()
	var key datacache.Key
	useCache := o.DataCache != nil
	if useCache {
		k, err := datacache.KeyFor(ctx, o.Engine, eo, data)
		switch {
		case errors.Is(err, engine.ErrNoDatadir):
			r.logf("cache: not used: %v", err)
			useCache = false
		case err != nil:
			return err
		}
		key = k
	}
	corrupt := ""
	if useCache {
		e, err := o.DataCache.Lookup(ctx, key)
		if err != nil {
			return err
		}
		if e != nil {
			phases, errs := len(r.report.Phases), len(r.report.Errors)
			err := r.fromCache(ctx, pending, eo, schema, e)
			if err == nil || !errors.Is(err, datacache.ErrCorrupt) {
				return err
			}
			// The entry is removed: build it again, and say so in the
			// provision phase instead of the attempt's phases.
			r.report.Phases, r.report.Errors = r.report.Phases[:phases], r.report.Errors[:errs]
			r.probes, r.probeDetail = nil, ""
			corrupt = err.Error()
			r.logf("cache: %s: restoring and generating again", corrupt)
			r.stopServer()
		}
	}
	provision := fmt.Sprintf("%s engine, %s %s", o.Engine.Name(), o.Snapshot.Source.Flavor, o.Snapshot.Source.Version)
	if corrupt != "" {
		provision += " (" + corrupt + ": rebuilt)"
	}
	if n, _, _, _ := o.replicaCount(); useCache || n > 0 || o.galeraAsked() {
		eo.HostDatadir = true // the datadir is handed over afterwards (keep, replicas, a Galera cluster)
	}
	if err := r.timed("provision", provision, func() error {
		srv, err := restore.StartFor(ctx, o.Engine, eo, o.Snapshot)
		if err != nil {
			return err
		}
		r.setServer(srv)
		return nil
	}); err != nil {
		return err
	}
	r.schema = schema
	if r.srv.Database != "" {
		r.schema = r.srv.Database
	}
	if err := r.timed("restore", fmt.Sprintf("%d tables", countTables(o.Snapshot)), func() error {
		return restore.Into(ctx, r.srv, o.Snapshot, restore.Options{Log: o.Log})
	}); err != nil {
		return err
	}
	if err := r.openDB(); err != nil {
		return err
	}
	if err := r.probe(ctx, pending, nil); err != nil {
		return err
	}
	var gen datacache.Generation
	if err := r.timed("generate", fmt.Sprintf("scale %g", data.Scale), func() error {
		gopts := data.GenerateOptions()
		gopts.Schemas = r.schemaMap()
		res, err := datagen.Generate(ctx, r.db, o.Snapshot, gopts)
		if err != nil {
			return err
		}
		r.data = res.Model
		r.report.Inputs.Rows = res.Rows
		r.report.Inputs.TableRows = generatedRows(res)
		for _, n := range res.Notes {
			r.logf("generate: %s", n)
		}
		gen = datacache.GenerationOf(res)
		r.phaseDetail = fmt.Sprintf("%d rows at %.0f rows/s (%s)", res.Rows, res.RowsPerSec(), res.Method)
		return nil
	}); err != nil {
		return err
	}
	if useCache {
		e, err := r.keep(ctx, eo, key, gen)
		if err == nil && e != nil {
			r.keepProbes(ctx, e, pending)
		}
		return err
	}
	return nil
}

// cacheData is what fills the sandbox, as the cache keys it.
func (r *rehearsal) cacheData() datacache.Data {
	o := r.opts
	d := datacache.Data{Snapshot: o.Snapshot, Scale: o.Scale, Rows: o.Rows, Seed: uint64(o.Seed), Tables: restore.DataTables(o.Snapshot)}
	if d.Scale == 0 {
		d.Scale = 1
	}
	return d
}

// fromCache starts the sandbox on a copy of the entry and checks it; the
// probe runs on its scratch copy of the schema as it does before generate
// (or its answers come from the entry's memo), while the rows are verified.
func (r *rehearsal) fromCache(ctx context.Context, pending []*migrations.Migration, eo engine.Options, schema string, e *datacache.Entry) error {
	o := r.opts
	m := e.Manifest
	from := fmt.Sprintf("from cache (key %s)", m.Key.Short())
	if err := r.timed("provision", fmt.Sprintf("%s engine, %s %s %s", o.Engine.Name(), o.Snapshot.Source.Flavor, o.Snapshot.Source.Version, from), func() error {
		t0 := time.Now()
		srv, how := r.prestarted(e)
		if srv == nil {
			var err error
			if srv, err = e.Start(ctx, o.Engine, eo, o.Snapshot); err != nil {
				return err
			}
		}
		r.setServer(srv)
		r.phaseDetail = fmt.Sprintf("%s engine, %s %s %s: a copy of %s", srv.Engine, srv.Flavor, srv.Version, from, mysqlkit.BytesSI(m.Allocated))
		if srv.DatadirCopy > 0 && how == "" {
			// Where the phase's time went: the copy, then the server's
			// own start (the files' CRC-32C is read meanwhile). A server
			// started during an earlier strategy's rehearsal says so
			// instead (how).
			r.phaseDetail += fmt.Sprintf(" (copied in %s, then started in %s)", round(srv.DatadirCopy), round(time.Since(t0)-srv.DatadirCopy))
		}
		if how != "" {
			r.phaseDetail += ", " + how
		}
		return nil
	}); err != nil {
		return err
	}
	r.schema = schema
	r.cachedPhase("restore", m.Key.Short(), fmt.Sprintf("%s: %d tables", from, countTables(o.Snapshot)))
	if err := r.openDB(); err != nil {
		return err
	}
	// The rows' verification (a scan of every table) runs while the probe
	// works on its scratch database: neither changes what the other reads.
	// It is waited for on every path, so it never outlives the server.
	type verified struct {
		tables  int
		rows    int64
		err     error
		elapsed time.Duration
	}
	vch := make(chan verified, 1)
	go func() {
		t0 := time.Now()
		tables, rows, err := e.Verify(ctx, r.srv, o.Snapshot)
		vch <- verified{tables, rows, err, time.Since(t0)}
	}()
	perr := r.probe(ctx, pending, e)
	var v verified
	gerr := r.timedCached("generate", m.Key.Short(), from, func() error {
		gopts := r.cacheData().GenerateOptions()
		gopts.Schemas = r.schemaMap()
		model, merr := datagen.NewModel(ctx, r.db, o.Snapshot, gopts)
		v = <-vch
		if v.err != nil {
			return v.err
		}
		if perr != nil {
			return perr
		}
		if merr != nil {
			return merr
		}
		r.data = model
		r.report.Inputs.Rows = m.Generation.Rows
		r.report.Inputs.TableRows = m.Generation.TableRows
		for _, n := range m.Generation.Notes {
			r.logf("generate: %s", n)
		}
		r.phaseDetail = fmt.Sprintf("%s: %d rows, verified in %s (row counts and sample checksums of %d tables holding %d rows, with what restore wrote such as the migration history); generated at %.0f rows/s (%s)",
			from, m.Generation.Rows, round(v.elapsed), v.tables, v.rows, m.Generation.RowsPerSec, m.Generation.Method)
		return nil
	})
	return gerr
}

// keep is the "cache" phase of a miss: the filled sandbox's datadir becomes
// the entry, and the rehearsal goes on on a copy of it.
func (r *rehearsal) keep(ctx context.Context, eo engine.Options, key datacache.Key, gen datacache.Generation) (*datacache.Entry, error) {
	o := r.opts
	var notKept error
	var kept *datacache.Entry
	err := r.timed("cache", "keep the filled datadir (key "+key.Short()+")", func() error {
		old := r.srv
		srv, e, st, err := o.DataCache.Put(ctx, old, o.Engine, eo, o.Snapshot, key, gen)
		if srv != old {
			r.closeDB()
			stopQuietly(old) // shut down by Put: removes what is left of it
			r.srv = nil
		}
		if srv != nil {
			r.setServer(srv)
			if err := r.openDB(); err != nil {
				return err
			}
		}
		if errors.Is(err, datacache.ErrNotKept) && srv != nil {
			notKept = err
			return nil
		}
		if err != nil {
			return err
		}
		tables, rows, err := e.Verify(ctx, srv, o.Snapshot)
		if err != nil {
			return err
		}
		kept = e
		how := fmt.Sprintf("kept as entry %s (%s)", key.Short(), mysqlkit.BytesSI(e.Manifest.Allocated))
		if st.Raced {
			how = fmt.Sprintf("entry %s kept by another rehearsal at the same time", key.Short())
		}
		r.phaseDetail = fmt.Sprintf("%s: checked in %s, clean shutdown %s, restarted on a copy in %s, verified %d tables (%d rows)",
			how, round(st.Check), round(st.Shutdown), round(st.Start), tables, rows)
		return nil
	})
	if notKept != nil {
		r.logf("cache: %v", notKept)
		last := &r.report.Phases[len(r.report.Phases)-1]
		last.Status, last.Detail = "skipped", notKept.Error()
	}
	return kept, err
}

// probe asks the server which ALGORITHM/LOCK each pending statement gets,
// on a scratch copy of the schema whose tables are empty. A probe that
// fails is reported and the rehearsal goes on without the server's answers.
// With e (a sandbox started from a data cache entry) the answers come from
// the entry's memo when an earlier rehearsal probed the same statements on
// a server started from it (phase cached), and are kept there otherwise.
func (r *rehearsal) probe(ctx context.Context, pending []*migrations.Migration, e *datacache.Entry) error {
	switch n := countStatements(pending); {
	case r.opts.MigrateCommand != nil:
		r.skipped("probe", "--migrate-cmd: the migrations are code, no statement to ask the server about")
	case n == 0:
		r.skipped("probe", "no pending statement")
	case r.sharedProbes():
	default:
		var memo probeMemo
		if e != nil && e.Memo(r.probeMemoName(pending), &memo) {
			key := e.Manifest.Key.Short()
			return r.timedCached("probe", key, fmt.Sprintf("from cache (key %s): %s, the answers of the server started from this entry when it first rehearsed these statements", key, memo.Detail), func() error {
				r.probes = memo.Probes
				r.recordProbes()
				return nil
			})
		}
		err := r.timed("probe", fmt.Sprintf("ALGORITHM/LOCK of %d statements on empty tables", n), func() error {
			detail, err := r.probeAlgorithms(ctx, pending)
			if err == nil {
				r.phaseDetail = detail
				r.probeDetail = detail
			}
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.logf("probe: %v", err)
			r.report.Errors = append(r.report.Errors, result.ErrorEntry{Phase: "probe", Message: err.Error() + " (the report lacks the server's verified algorithms; the rehearsal went on)"})
			return nil
		}
		r.recordProbes()
		if e != nil {
			r.keepProbes(ctx, e, pending)
		}
	}
	return nil
}

// probeMemo is what a data cache entry keeps of a probe.
type probeMemo struct {
	Detail string                  `json:"detail"`
	Probes map[string][]plan.Probe `json:"probes"`
}

// keepProbes keeps the probe's answers with the entry, for the next
// rehearsal of the same statements on a server started from it (a failure
// to write is only logged: the next rehearsal probes again).
func (r *rehearsal) keepProbes(ctx context.Context, e *datacache.Entry, pending []*migrations.Migration) {
	if r.probes == nil || r.probeDetail == "" {
		return
	}
	if err := e.SetMemo(ctx, r.probeMemoName(pending), probeMemo{Detail: r.probeDetail, Probes: r.probes}); err != nil {
		r.logf("cache: the probe's answers not kept with entry %s: %v", e.Manifest.Key.Short(), err)
	}
}

// probeMemoName names the probe's answers by everything that shapes them
// besides the entry (which fixes the server's build, its file-shaping
// settings and the snapshot's schema): each pending statement as the probe
// runs it, with its migration, the database it runs in, the databases it
// must not touch, and every setting the server was started with.
func (r *rehearsal) probeMemoName(pending []*migrations.Migration) string {
	parts := []string{"schema=" + r.schema, "database=" + r.srv.Database, "flavor=" + string(r.srv.Flavor), "version=" + r.srv.Version}
	parts = append(parts, "others="+strings.Join(r.otherSchemas(), ","))
	settings := restore.StartOptions(r.opts.Snapshot, r.opts.EngineOptions).Settings
	for _, k := range sortedKeys(settings) {
		parts = append(parts, "set "+k+"="+settings[k])
	}
	for _, m := range pending {
		for _, st := range m.Up.Statements {
			parts = append(parts, m.Version+" "+r.confined.Text(st.Text))
		}
	}
	return datacache.MemoName("probe", parts...)
}

func (r *rehearsal) setServer(srv *engine.Server) {
	r.srv = srv
	r.report.Inputs.Engine = srv.Engine
	r.report.Inputs.Flavor = string(srv.Flavor)
	r.report.Inputs.Version = srv.Version
	r.report.Inputs.VersionDrift = restore.VersionDrift(r.opts.Snapshot, srv)
}

func (r *rehearsal) openDB() error {
	r.closeDB()
	db, err := r.srv.Open("")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(0)
	r.db = db
	return nil
}

func (r *rehearsal) closeDB() {
	if r.db != nil {
		r.db.Close()
		r.db = nil
	}
}

// stopServer stops and removes the sandbox (a corrupt entry's copy).
func (r *rehearsal) stopServer() {
	r.closeDB()
	if r.srv != nil {
		stopQuietly(r.srv)
		r.srv = nil
	}
}

// cachedPhase records a phase the cache did.
func (r *rehearsal) cachedPhase(name, key, detail string) {
	_ = r.timedCached(name, key, detail, func() error { return nil })
}

// timedCached is timed for a phase the cache did: status cached, and the
// entry's key.
func (r *rehearsal) timedCached(name, key, detail string, f func() error) error {
	err := r.timed(name, detail, f)
	if err == nil {
		p := &r.report.Phases[len(r.report.Phases)-1]
		p.Status, p.CacheKey = PhaseCached, key
	}
	return err
}

func stopQuietly(srv *engine.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_ = srv.Stop(ctx)
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
