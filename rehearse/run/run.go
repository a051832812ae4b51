// Package run is the rehearsal: a production-shaped sandbox, a realistic
// write load, the release's pending migrations applied one statement at a
// time while a lock monitor watches, then the way back — and a verdict
// measured, not predicted. It fills a result.Report ("rehearse.report/v1").
//
// Phases: provision → restore → generate → load + baseline → migrate →
// app-compat → rollback (→ roundtrip) → stop load → verdict. Teardown always
// runs, on success, failure and cancellation.
package run

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/datacache"
	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/scope"
	"github.com/rehearse/rehearse/snapshot"
	"github.com/rehearse/rehearse/snapshot/history"
)

// Options say what to rehearse and how. Snapshot, Migrations and Engine are
// required.
type Options struct {
	Snapshot       *snapshot.Snapshot
	SnapshotPath   string // for the report
	SnapshotDigest string // sha256 of the file, for the report

	Migrations      *migrations.Set // loaded by the caller (migrations.Load)
	MigrationsDir   string          // for the report
	MigrateCommand  *migrations.CommandOptions
	RollbackCommand *migrations.CommandOptions

	// UnconfinedCommand runs MigrateCommand on the dsn engine even when
	// the account's grants reach beyond rehearse_* databases (the user's
	// risk); changes outside the scratch database still stop the
	// rehearsal (rehearse/confine).
	UnconfinedCommand bool

	Engine          engine.Engine
	EngineOptions   engine.Options
	Database        string // the database the migrations run in; "" = the snapshot's (see targetSchema)
	Scale           float64
	Rows            map[string]int64
	Seed            int64
	LoadRate        float64       // target ops/s of the simulated application (0 = LoadProfile's rate, else DefaultLoadRate)
	LoadTables      int           // tables under load besides those the release touches (0 = 3)
	Baseline        time.Duration // load before the first migration (0 = DefaultBaseline)
	AppCompatWindow time.Duration // the pre-release load against the new schema (0 = DefaultAppCompat)
	LockWaitTimeout time.Duration // SET SESSION lock_wait_timeout for each migration statement (0 = the server's)
	Injections      []Injection
	Gates           []Gate
	Roundtrip       bool // apply the ups again after the downs
	// KeepGoing rehearses the migrations after a failed one instead of
	// stopping there: each runs on what the failure left (its committed
	// statements stay, as in production), so one run reports every
	// failing migration. The verdict still fails.
	KeepGoing       bool
	SkipRollback    bool
	MonitorInterval time.Duration
	PlanConfig      *plan.Config // rules configuration (rehearse.yaml's rules:)
	// FirstAdoption declares the release the runner's first on production
	// (plan.Options.FirstAdoption): every migration is pending.
	FirstAdoption    bool
	Tool             string // "rehearse <version>"
	Log              io.Writer
	Progress         func(phase string, detail string) // called at each phase start
	KeepServerOnFail bool                              // leave the sandbox running when the rehearsal fails (debugging)

	// Replicas is the replication topology to rehearse (the zero value:
	// the primary alone; Count AutoReplicas: the snapshot's replicas).
	Replicas ReplicaOptions

	// DataCache, when set, keeps the filled datadir after generation and
	// starts later rehearsals with the same snapshot, scale, rows, seed and
	// server on a copy of it (rehearse/datacache); nil restores and
	// generates every time. The dsn engine never uses it.
	DataCache *datacache.Cache

	// LoadProfile is the simulated application's workload from a profile
	// file (load.ReadProfile); nil = the snapshot's digests when usable,
	// else the default mix. Run checks it against the snapshot before it
	// starts a server.
	LoadProfile *load.ProfileFile

	// Strategy is how the heavy statements are applied: as written (the
	// zero value, native), or through an online schema change tool
	// (strategy.go, docs/strategies.md).
	Strategy StrategyOptions

	// share is what rehearse compare's rehearsals share (compareshare.go);
	// nil for a single rehearsal.
	share *compareShare
}

// Defaults, as package vars so tests can shorten them.
var (
	// DefaultScale is the share of production's rows `rehearse run` (and
	// `rehearse sandbox --rows` without --scale) generates.
	DefaultScale     = 0.01
	DefaultLoadRate  = 200.0
	DefaultBaseline  = 5 * time.Second
	DefaultAppCompat = 2 * time.Second
	// LoadConnsPerTable is the simulated application's connections per
	// table under load.
	LoadConnsPerTable = 8
	// settle is the pause between an injected long transaction taking its
	// lock and the migration statement starting.
	settle = 200 * time.Millisecond
)

// Run rehearses. It returns the report whenever the rehearsal got far enough
// to say something (even when it then failed), and an error when it could not
// run to a verdict. A failed gate is not an error: the report's Verdict says
// "fail" (the command line maps that to exit code 1).
func Run(ctx context.Context, opts Options) (*result.Report, error) {
	if opts.Snapshot == nil || opts.Engine == nil || (opts.Migrations == nil && opts.MigrateCommand == nil) {
		return nil, errors.New("run: Snapshot, Engine and Migrations (or a migrate command) are required")
	}
	if err := opts.Check(); err != nil {
		return nil, err
	}
	r := &rehearsal{opts: opts, started: time.Now()}
	r.report = &result.Report{
		Format:    result.FormatV1,
		Tool:      opts.Tool,
		StartedAt: r.started.UTC(),
		Verdict:   result.Error,
	}
	defer r.teardown()
	err := r.run(ctx)
	if opts.PlanConfig != nil { // rehearse.yaml's severities, for the RUN codes too
		r.report.Findings = result.Configure(r.report.Findings, &opts.PlanConfig.Overrides)
	}
	r.report.FinishedAt = time.Now().UTC()
	if err != nil {
		r.report.Verdict = result.Error
		r.report.Reason = err.Error()
		r.report.Errors = append(r.report.Errors, result.ErrorEntry{Phase: r.phase, Message: err.Error()})
		if errors.Is(err, context.Canceled) {
			return r.report, err
		}
		return r.report, err
	}
	return r.report, nil
}

// rehearsal is one Run's state.
type rehearsal struct {
	opts    Options
	report  *result.Report
	started time.Time
	phase   string
	// phaseDetail replaces the running phase's detail when set (what it
	// found out, e.g. the rows generated); timed resets it.
	phaseDetail string

	srv    *engine.Server
	db     *sql.DB // pool for migrations, injections and captures
	schema string  // the database the migrations run in (on the server)

	probes map[string][]plan.Probe // the server's ALGORITHM/LOCK answers, by version (probe.go)
	// probeDetail is the probe phase's detail, kept with the answers in a
	// data cache entry's memo.
	probeDetail string
	plan        *plan.Plan   // the release read statically (nil with --migrate-cmd)
	pre         *schemaState // the schema before the release, after generation

	// confined maps statement texts to what runs instead on the dsn
	// engine (the snapshot's database rewritten to the scratch database).
	confined scope.Confined

	data           *datagen.Model // the generated rows' plan: the load inserts rows past them
	gen            *load.Generator
	profile        *load.Profile
	shapes         []load.ShapeResult // the previous-app check's outcome
	appFrom, appTo time.Time          // the previous-app compatibility window

	cleanup []func()

	// repl is the replication topology and its measurements (replicas.go);
	// nil when the primary is rehearsed alone.
	repl *replicaState
	// galera is the Galera cluster and its node writers (galera.go); nil
	// without one.
	galera *galeraState

	// ptoscRecursion is pt-osc's --recursion-method with replicas, and
	// ptoscAcct the account it connects as when the replicas' passwords
	// are not the primary's (strategy_replicas.go).
	ptoscRecursion string
	ptoscAcct      *ptoscAccount

	// pendingShared are notes of what this rehearsal took from an earlier
	// strategy's (compareshare.go), until report.Strategy exists.
	pendingShared []string

	// escaped is a --migrate-cmd's change outside the dsn engine's
	// scratch database (a *confine.Violation): the rehearsal stops with it.
	escaped error
}

func (r *rehearsal) logf(format string, args ...any) {
	if r.opts.Log != nil {
		fmt.Fprintf(r.opts.Log, format+"\n", args...)
	}
}

// since is seconds since the rehearsal started (the report's clock).
func (r *rehearsal) since(t time.Time) float64 { return t.Sub(r.started).Seconds() }

// timed runs one phase and records it.
func (r *rehearsal) timed(name, detail string, f func() error) error {
	r.phase = name
	if r.opts.Progress != nil {
		r.opts.Progress(name, detail)
	}
	start := time.Now()
	r.phaseDetail = ""
	err := f()
	if r.phaseDetail != "" {
		detail = r.phaseDetail
	}
	p := result.Phase{Name: name, StartS: r.since(start), Duration: time.Since(start).Seconds(), Status: "ok", Detail: detail}
	if err != nil {
		p.Status = "failed"
		p.Detail = err.Error()
	}
	r.report.Phases = append(r.report.Phases, p)
	return err
}

func (r *rehearsal) skipped(name, why string) {
	r.report.Phases = append(r.report.Phases, result.Phase{Name: name, StartS: r.since(time.Now()), Status: "skipped", Detail: why})
}

func (r *rehearsal) teardown() {
	start := time.Now()
	for i := len(r.cleanup) - 1; i >= 0; i-- {
		r.cleanup[i]()
	}
	r.cleanup = nil
	if r.db != nil {
		r.db.Close()
	}
	if r.srv != nil {
		if r.opts.KeepServerOnFail && r.report.Verdict != result.Pass {
			r.logf("keeping the sandbox for inspection: %s", r.srv.DisplayDSN())
			if r.srv.Engine == "docker" {
				// The log may be a CI job's: the password stays out of it.
				r.logf("root's password: docker exec %s printenv MYSQL_ROOT_PASSWORD", r.srv.ID)
			}
		} else if sh := r.opts.share; sh != nil {
			// rehearse compare: the server stops while the next strategy's
			// rehearsal gets ready; it waits for it before its load is
			// measured (compareshare.go).
			sh.stopLater(r.srv, r.logf)
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			if err := r.srv.Stop(ctx); err != nil {
				r.logf("teardown: %v", err)
			}
			cancel()
		}
	}
	r.report.Phases = append(r.report.Phases, result.Phase{Name: "teardown", StartS: r.since(start), Duration: time.Since(start).Seconds(), Status: "ok"})
}

// targetSchema chooses the database the migrations run in: the option, else
// the database holding the migration history, else the snapshot's only one.
func targetSchema(snap *snapshot.Snapshot, want string) (string, error) {
	if want != "" {
		for _, s := range snap.Schemas {
			if s.Name == want {
				return want, nil
			}
		}
		return "", rehearse.WithHint(fmt.Errorf("database %q is not in the snapshot", want), "the snapshot has: %s", schemaNames(snap))
	}
	registry := ""
	for _, h := range snap.History {
		if h.Schema != "" && !history.Registry(h.Runner) {
			return h.Schema, nil
		}
		if history.Registry(h.Runner) {
			registry = h.Schema
		}
	}
	if len(snap.Schemas) == 1 {
		return snap.Schemas[0].Name, nil
	}
	if registry != "" && len(snap.Schemas) == 2 { // Sqitch's registry and the application's database
		for _, s := range snap.Schemas {
			if s.Name != registry {
				return s.Name, nil
			}
		}
	}
	return "", rehearse.WithHint(fmt.Errorf("the snapshot has %d databases and no migration history to tell which one the migrations run in", len(snap.Schemas)),
		"name it with --database (the snapshot has: %s)", schemaNames(snap))
}

func schemaNames(snap *snapshot.Snapshot) string {
	s := ""
	for i, sc := range snap.Schemas {
		if i > 0 {
			s += ", "
		}
		s += sc.Name
	}
	return s
}
