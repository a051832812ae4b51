package run

import (
	"context"
	"fmt"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/locks"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/scope"
	"github.com/rehearse/rehearse/snapshot"
)

// run is the phase sequence. Every phase records itself in the report.
func (r *rehearsal) run(ctx context.Context) error {
	o := r.opts
	snap := o.Snapshot
	schema, err := targetSchema(snap, o.Database)
	if err != nil {
		return err
	}
	if err := o.checkLoadProfile(schema); err != nil {
		return err
	}
	pending := migrations.Pending(o.Migrations, snap)
	var thePlan *plan.Plan
	if err := r.timed("plan", "pending set, drift, predicted algorithms", func() error {
		planPending, p, err := r.planRelease(ctx, schema)
		if err != nil {
			return err
		}
		if p != nil {
			thePlan, pending = p, planPending
			r.plan = p
		}
		return nil
	}); err != nil {
		return err
	}
	r.fillInputs(schema, pending)
	if len(pending) == 0 && o.MigrateCommand == nil {
		// Nothing to rehearse is not a failure of the release (a deploy
		// without migrations) nor of the input: a pass that says why,
		// without starting a server.
		r.report.Verdict = result.Pass
		r.report.Reason = nothingPending(o, thePlan)
		r.logf("rehearse: %s", r.report.Reason)
		return nil
	}

	eo := o.EngineOptions
	if o.Engine.Name() == "dsn" {
		// A shared server: every pending statement must stay in the
		// scratch database, checked (and rewritten) before it is touched.
		if eo.Database == "" {
			eo.Database = engine.ScratchName()
		}
		confined, err := scope.ForSnapshot(eo.Database, snap).Migrations(pending)
		if err != nil {
			return rehearse.WithHint(err, "%s", scope.Hint)
		}
		r.confined = confined
		if o.MigrateCommand != nil {
			eo.Guard = commandGuard(restore.StartOptions(snap, eo).Guard, o.UnconfinedCommand, r.logf)
		}
	}
	// provision, restore, probe, generate — or a copy of the data cache's
	// entry (data.go).
	if err := r.prepare(ctx, pending, eo, schema); err != nil {
		return err
	}

	// With replicas, the filled sandbox becomes the primary of a topology
	// started from its datadir (replicas.go).
	if err := r.provisionReplicas(ctx, eo); err != nil {
		return err
	}
	db := r.db

	pre, err := r.capture(ctx)
	if err != nil {
		return fmt.Errorf("capture the pre-release schema: %w", err)
	}
	r.pre = pre
	if s := o.Strategy; s.Name != "" || len(s.For) > 0 {
		if err := r.checkStrategies(); err != nil {
			return err
		}
		name := s.Name
		if name == "" {
			name = StrategyNative
		}
		r.report.Strategy = &result.StrategyRun{Name: name, Overrides: s.For, Command: s.Command,
			Checksums: r.strategyChecksums(ctx, pending), Shared: r.pendingShared}
	}

	// The load and the lock monitor run from the baseline to the end of
	// the rollback.
	gen, err := r.startLoad(ctx, pending)
	if err != nil {
		return err
	}
	mon := locks.New(db, locks.Options{Interval: o.MonitorInterval})
	if err := mon.Start(ctx); err != nil {
		gen.Stop()
		return fmt.Errorf("start the lock monitor: %w", err)
	}
	if err := r.startReplicaMonitor(ctx); err != nil {
		gen.Stop()
		mon.Stop()
		return err
	}
	stopped := false
	var loadRes *load.Result
	var lockRes *locks.Result
	stopAll := func() {
		if stopped {
			return
		}
		stopped = true
		loadRes = gen.Stop()
		lockRes = mon.Stop()
		r.stopReplicaMonitor()
	}
	r.cleanup = append(r.cleanup, stopAll)

	baseline := o.Baseline
	if baseline == 0 {
		baseline = DefaultBaseline
	}
	var baseFrom, baseTo time.Time
	detail := baseline.String()
	shared, notShared := r.sharedBaseline()
	if shared {
		// rehearse compare: an earlier strategy measured this baseline on
		// the same data under the same load (compareshare.go); the load
		// warms up before the first statement.
		b := *o.share.baseline
		r.report.Baseline = &b
		baseline = min(baseline, CompareWarmup)
		detail = fmt.Sprintf("the %s rehearsal's (the changed tables' checksums and the load are the same), then %s of load", o.share.baselineFrom, baseline)
		r.sharedNote(fmt.Sprintf("baseline: the %s rehearsal's (p99 %.1f ms): the changed tables' CHECKSUM TABLE before the load and the load (statements, rate, connections, seed) are the same; this load ran %s before the first statement", o.share.baselineFrom, b.P99Ms, baseline))
	} else if notShared != "" {
		r.logf("compare: baseline: %s", notShared)
	}
	r.previousStopped()
	if err := r.timed("baseline", detail, func() error {
		from := time.Now()
		select {
		case <-time.After(baseline):
		case <-ctx.Done():
			return ctx.Err()
		}
		if !shared {
			baseFrom, baseTo = from, time.Now()
		}
		return nil
	}); err != nil {
		return err
	}
	if shared {
		r.report.Phases[len(r.report.Phases)-1].Status = PhaseShared
	}

	fw := &forward{r: r, pending: pending, before: map[string]*schemaState{}}
	fw.state = pre
	var migErr error
	if o.MigrateCommand != nil {
		migErr = r.timed("migrate", "command: "+o.MigrateCommand.Command, func() error { return fw.applyCommand(ctx) })
	} else {
		migErr = r.timed("migrate", fmt.Sprintf("%d pending migrations", len(pending)), func() error { return fw.apply(ctx) })
	}
	if migErr != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	if r.escaped != nil {
		return r.escaped
	}
	r.strategyAfter(fw.state)
	r.galeraSchemas(ctx, fw.state)
	// rehearse compare: nothing of this rehearsal measured from here on is
	// compared; the next strategy's server starts meanwhile.
	r.startNext()

	if (fw.failed == nil || o.KeepGoing) && len(fw.applied) > 0 {
		_ = r.timed("app-compat", o.appCompat().String(), func() error {
			r.appFrom = time.Now()
			// The load runs meanwhile: the check shares its new-row
			// counters, so its (rolled back) inserts collide with no row
			// the load wrote.
			shapes, err := load.ReplayShapes(ctx, db, r.profile, load.ReplayOptions{Seed: uint64(o.Seed) + 2, Load: r.gen})
			if err != nil {
				return err
			}
			r.shapes = shapes
			select {
			case <-time.After(o.appCompat()):
			case <-ctx.Done():
				return ctx.Err()
			}
			r.appTo = time.Now()
			return nil
		})
	} else {
		r.skipped("app-compat", "no migration was fully applied")
	}

	if o.SkipRollback || len(fw.applied) == 0 && fw.failed == nil {
		r.skipped("rollback", "not asked or nothing applied")
	} else {
		r.nextStarted() // the downs are measured: on a quiet machine
		_ = r.timed("rollback", "downs in reverse, under load", func() error {
			if o.MigrateCommand != nil {
				return fw.rollbackCommand(ctx, pre)
			}
			return fw.rollback(ctx, pre)
		})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if r.escaped != nil {
			return r.escaped
		}
		if o.Roundtrip && o.MigrateCommand == nil && r.report.Rollback != nil && r.report.Rollback.Restores {
			_ = r.timed("roundtrip", "ups again after the downs", func() error { return fw.roundtrip(ctx) })
		}
	}

	r.catchUp(ctx)
	stopAll()
	r.timed("verdict", "measures, findings and gates", func() error {
		r.measure(fw, loadRes, lockRes, baseFrom, baseTo)
		r.recordBaseline()
		annotate(r.report, thePlan, r.probes)
		r.algorithmFindings()
		r.verdict(fw)
		return nil
	})
	return nil
}

// nothingPending says why a release has nothing to rehearse.
func nothingPending(o Options, p *plan.Plan) string {
	where := "the migrations folder"
	if o.MigrationsDir != "" {
		where = o.MigrationsDir
	}
	if p != nil && p.History != nil {
		h := p.History
		return fmt.Sprintf("nothing to rehearse: production's history (%s %s.%s, newest %s) already has every migration in %s", h.Runner, h.Schema, h.Table, h.Newest, where)
	}
	return "nothing to rehearse: " + where + " holds no migration"
}

func (o Options) appCompat() time.Duration {
	if o.AppCompatWindow > 0 {
		return o.AppCompatWindow
	}
	return DefaultAppCompat
}

// schemaMap maps the snapshot's migration database to the server's (the dsn
// engine's scratch database).
func (r *rehearsal) schemaMap() map[string]string {
	return restore.Databases(r.srv, r.opts.Snapshot)
}

func (r *rehearsal) fillInputs(schema string, pending []*migrations.Migration) {
	o := r.opts
	in := &r.report.Inputs
	in.Snapshot = o.SnapshotPath
	in.SnapshotDigest = o.SnapshotDigest
	in.Source = fmt.Sprintf("%s %s", o.Snapshot.Source.Flavor, o.Snapshot.Source.Version)
	in.Migrations = o.MigrationsDir
	for _, m := range pending {
		in.MigrationIDs = append(in.MigrationIDs, m.Version)
	}
	in.Scale = o.Scale
	r.fillLoadInputs()
	in.Lockwait = o.LockWaitTimeout.Seconds()
	in.KeepGoing = o.KeepGoing
	in.Seed = o.Seed
	for _, k := range sortedKeys(o.EngineOptions.Settings) {
		in.Settings = append(in.Settings, k+"="+o.EngineOptions.Settings[k])
	}
	for _, inj := range o.Injections {
		r.report.Injections = append(r.report.Injections, result.Injection{Kind: inj.Kind, Spec: inj.Spec})
	}
	_ = schema
}

func countStatements(pending []*migrations.Migration) int {
	n := 0
	for _, m := range pending {
		n += len(m.Up.Statements)
	}
	return n
}

func countTables(snap *snapshot.Snapshot) int {
	n := 0
	for _, s := range snap.Schemas {
		n += len(s.Tables)
	}
	return n
}
