package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/declarative"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/redact"
	"github.com/rehearse/rehearse/rehearse/result"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/snapshot"
)

func init() { subcommands = append(subcommands, newRunCmd) }

// runOptions hold `rehearse run`'s flags.
type runOptions struct {
	io       *ioStreams
	engine   *engineFlags
	replicas *replicaFlags
	changed  func(string) bool

	inputFlags
	rehearsalFlags
	outputFlags
	Roundtrip   bool
	KeepGoing   bool
	KeepOnFail  bool
	MigrateCmd  string
	MigrateEnv  []string
	Unconfined  bool
	RollbackCmd string
	Extrapolate bool     // capacity: predict production from this run and two smaller ones (capacity.go)
	noFaults    bool     // capacity: no injections and no gates, from the flags or rehearse.yaml
	Strategy    string   // strategy.go
	StrategyFor []string // VERSION#N=NAME
	OSCCmd      string
	PTOSCArgs   []string
}

func newRunCmd(io *ioStreams) *cobra.Command { return runCommand(&runOptions{io: io}) }

// runCommand is `rehearse run` writing its flags into o.
func runCommand(o *runOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run --snapshot FILE --migrations DIR",
		Short: "Rehearse the pending migrations on a production-shaped sandbox under write load",
		Long: `Rehearse the release: start a server matching the snapshot, restore its schema and
migration history, ask it which ALGORITHM/LOCK each pending ALTER gets while the tables
are still empty, fill it with synthetic data at --scale of production's row counts,
start a write load, then apply each pending migration one statement at a time while a
lock monitor watches; then check that the previous app version still works, run the
downs in reverse, and compare the schema with the pre-release one.

The verdict comes from gates. Every rehearsal applies the default gates:
  max-writer-stall=5s    no statement stalls a writer longer than 5 s
  max-lock-wait=30s      no statement waits longer than 30 s for its metadata lock
  max-stall-share=50%    no table copy (or change under a shared or exclusive lock) blocks
                         writers for more than half its run: scale-free, it fails at 1% of
                         production's rows what would block writers for the whole copy at 100%
  app-compat=required    the previous app version still works on the new schema
--gate NAME=LIMIT (or the gates: section of rehearse.yaml) replaces a default or adds a
gate; --gate NAME=off turns one off (gates: {NAME: off} in rehearse.yaml). The report
lists every gate applied, its limit and whether it is a default. Exit code 0 when every
gate passes, 1 when one fails or a migration fails, 2 when the rehearsal could not run.

The load is the running application during the deploy: the snapshot's workload
digests when it has them, else a default mix of inserts, updates, deletes and point
reads on the tables the release touches and the largest others. --load-profile FILE
(or load.profile in rehearse.yaml) says exactly what it does instead; write a starting
file with ` + "`rehearse load-profile`" + ` (docs/load-profile.md). --load wins over the profile's rate.

A failed migration stops the rehearsal, as it stops the runner. --keep-going rehearses
the next migrations anyway, on the state the failure left (its committed statements stay,
as they do in production: MySQL DDL is not transactional), so one run reports every
problem; the failed migrations are marked in every report and the verdict fails.

` + replicasHelp + `

Gates: ` + strings.Join(rehearsal.GateNames(), ", ") + `.
Injections: long-txn=TABLE:DURATION[@VERSION[#N]][,lead=LEAD] (a transaction holding TABLE,
opened LEAD — 200 ms by default — before statement N of VERSION), fail-at=VERSION:N.`,
		Example: `  rehearse run --snapshot prod.json --migrations ./migrations
  rehearse run --snapshot prod.json --migrations ./migrations --scale 0.1 --load 500 \
      --inject long-txn=investments:5s --lock-wait-timeout 2s --gate max-writer-stall=3s
  rehearse load-profile --snapshot prod.json --migrations ./migrations -o load.yaml   # then edit it
  rehearse run --snapshot prod.json --migrations ./migrations --load-profile load.yaml --load 800
  rehearse run --config rehearse.yaml --format table,md,junit,html,json --out-dir out/
  rehearse run --snapshot prod.json --migrations ./migrations --gate app-compat=off   # a contract release, old app retired
  rehearse run --snapshot prod.json --migrations ./migrations --keep-going   # every failing migration in one run
  rehearse run --snapshot prod.json --migrations ./migrations --replicas 2 --replica-reads 50   # replica lag, stale reads
  rehearse run --snapshot prod.json --migrations ./migrations --engine local --galera 3   # every Galera node's writer stalls`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.changed = cmd.Flags().Changed
			return runRehearsal(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	addInputFlags(fs, &o.inputFlags, inputUsage{targetSchema: true})
	addRehearsalFlags(fs, &o.rehearsalFlags, "scale", "seed", "rows", "load", "load-profile", "baseline", "app-compat-window",
		"lock-wait-timeout", "inject", "gate", "no-rollback", "no-cache")
	fs.BoolVar(&o.Roundtrip, "roundtrip", false, "after the downs, apply the ups again (the release can be retried)")
	fs.BoolVar(&o.KeepGoing, "keep-going", false, "after a failed migration, rehearse the next ones on the state it left (its committed statements kept) so one run reports every problem; the verdict still fails (default: stop at the first failure, as the runner does)")
	addOutputFlags(fs, &o.outputFlags, &result.Report{}, "report ("+result.FormatV1+")")
	fs.StringVar(&o.MigrateCmd, "migrate-cmd", "", "run this command instead of the migration files (code migrations: Rails, Knex, Sequelize, ...) in a clean environment: PATH, HOME, LANG, LC_ALL, TZ, TMPDIR, and the sandbox as DATABASE_URL, MYSQL_*, DB_*, DATABASE_*, FLYWAY_* (docs/security.md)")
	fs.StringArrayVar(&o.MigrateEnv, "migrate-env", nil, "with --migrate-cmd: also pass this variable of the environment to the command, `NAME` (repeatable)")
	fs.StringVar(&o.RollbackCmd, "rollback-cmd", "", "with --migrate-cmd: the command that rolls the release back")
	fs.BoolVar(&o.Unconfined, "unconfined-migrate-cmd", false, "with --migrate-cmd and --engine dsn: run the command even though the account can write outside rehearse_* databases, at your own risk (changes outside the scratch database are detected afterwards, not prevented; docs/security.md)")
	fs.BoolVar(&o.Extrapolate, "extrapolate", false, "also rehearse at a tenth and a third of --scale and predict production (scale 1): duration, disk, log, with bands (see rehearse capacity)")
	fs.BoolVar(&o.KeepOnFail, "keep-on-fail", false, "leave the sandbox running when the rehearsal fails (prints its DSN)")
	fs.StringVar(&o.Strategy, "strategy", "", "apply the heavy statements (those the plan and the server's probe say copy or rebuild the table or block writes) with `NAME`: native (as written), pt-osc (pt-online-schema-change), online-copy (ALGORITHM=COPY, LOCK=NONE, MariaDB 11.2+), cmd (--osc-cmd); docs/strategies.md")
	o.addStrategyFlags(cmd)
	o.engine = addEngineFlags(cmd)
	o.replicas = addReplicaFlags(cmd)
	return cmd
}

func runRehearsal(ctx context.Context, o *runOptions) error {
	if _, err := checkFormats(o.Formats, o.OutDir); err != nil {
		return err
	}
	if err := checkOutFile("-o", o.Output); err != nil {
		return err
	}
	ropts, err := o.build()
	if err != nil {
		return err
	}
	rep, err := rehearsal.Run(ctx, ropts)
	if err == nil && o.Extrapolate {
		err = extrapolate(ctx, o, ropts, rep)
	}
	if rep != nil {
		if werr := o.write(rep); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return err
	}
	if rep.Verdict != result.Pass {
		return &rehearse.VerdictError{Reason: "rehearsal failed: " + rep.Reason}
	}
	return nil
}

// build merges rehearse.yaml and the flags into rehearsal.Options.
func (o *runOptions) build() (rehearsal.Options, error) {
	ro, cfg, err := o.buildInputs()
	if err != nil {
		return rehearsal.Options{}, err
	}
	if o.io.ErrOutIsTTY {
		ro.Progress = func(phase, detail string) { fmt.Fprintf(o.io.ErrOut, "» %-10s %s\n", phase, redact.String(detail)) }
	} else {
		ro.Progress = func(phase, detail string) {
			if phase != "migrate" && phase != "rollback" || detail == "" {
				fmt.Fprintf(o.io.ErrOut, "rehearse: %s %s\n", phase, redact.String(detail))
			}
		}
	}
	injects, gates := o.Inject, o.Gates
	if cfg != nil && !o.noFaults {
		if !o.changed("inject") {
			injects = cfg.Inject
		}
		if !o.changed("gate") {
			for _, k := range sortedNames(cfg.Gates) {
				gates = append(gates, k+"="+cfg.Gates[k])
			}
		}
	}
	for _, s := range injects {
		in, err := rehearsal.ParseInjection(s)
		if err != nil {
			return rehearsal.Options{}, usageError{err}
		}
		ro.Injections = append(ro.Injections, in)
	}
	for _, s := range gates {
		g, err := rehearsal.ParseGate(s)
		if err != nil {
			return rehearsal.Options{}, usageError{err}
		}
		ro.Gates = append(ro.Gates, g)
	}
	o.engine.fromConfig(cfg, o.changed)
	eng, eopts, err := o.engine.build(o.io.ErrOut)
	if err != nil {
		return rehearsal.Options{}, err
	}
	cfg.AddSettings(&eopts)
	ro.Engine, ro.EngineOptions = eng, eopts
	if o.replicas != nil {
		if err := o.replicas.apply(&ro); err != nil {
			return rehearsal.Options{}, err
		}
	}
	if o.TargetSchema != "" {
		set, err := declarative.Build(context.Background(), declarative.Options{Snapshot: ro.Snapshot, Schema: o.Database,
			Target: o.TargetSchema, AllowDestructive: o.AllowDestructive, Engine: eng, EngineOptions: eopts, Log: o.io.ErrOut})
		if err != nil {
			return rehearsal.Options{}, err
		}
		ro.Migrations, ro.MigrationsDir = set, o.TargetSchema
	}
	if ro.DataCache, err = dataCache(o.NoCache, o.io.ErrOut); err != nil {
		return rehearsal.Options{}, err
	}
	if ro.Strategy, err = o.strategy(); err != nil {
		return rehearsal.Options{}, err
	}
	if o.MigrateCmd != "" {
		if err := migrations.CheckPassEnv(o.MigrateEnv); err != nil {
			return rehearsal.Options{}, usageError{rehearse.WithHint(err, "name variables the command needs besides the database (an API token, RAILS_ENV, ...)")}
		}
		env := migrations.CommandEnv(os.Environ(), o.MigrateEnv)
		ro.MigrateCommand = &migrations.CommandOptions{Command: o.MigrateCmd, Env: env}
		if o.RollbackCmd != "" {
			ro.RollbackCommand = &migrations.CommandOptions{Command: o.RollbackCmd, Env: env}
		}
		if o.Unconfined && eng.Name() != "dsn" {
			return rehearsal.Options{}, usageError{fmt.Errorf("--unconfined-migrate-cmd is for --engine dsn: on a throwaway server (--engine %s) the command is confined by the server being rehearse's own", eng.Name())}
		}
		ro.UnconfinedCommand = o.Unconfined
	} else if o.RollbackCmd != "" || len(o.MigrateEnv) > 0 || o.Unconfined {
		return rehearsal.Options{}, usageError{fmt.Errorf("--rollback-cmd, --migrate-env and --unconfined-migrate-cmd need --migrate-cmd")}
	}
	return ro, nil
}

// buildInputs merges rehearse.yaml and the flags that say what to rehearse
// (snapshot, migrations, data, load) into rehearsal.Options: everything
// but the engine, the faults and the gates.
func (o *runOptions) buildInputs() (rehearsal.Options, *rehearsal.Config, error) {
	if err := o.rehearsalFlags.check(o.changed); err != nil {
		return rehearsal.Options{}, nil, err
	}
	cfg, err := readConfig(o.Config, o.io.ErrOut)
	if err != nil {
		return rehearsal.Options{}, nil, err
	}
	// Resolved (flag, else rehearse.yaml): reproduce's split-migrations fix
	// reads its folder with the same format and pattern.
	if err := o.inputFlags.fromConfig(cfg, o.changed); err != nil {
		return rehearsal.Options{}, nil, err
	}
	snapPath, migDir, format, pattern := o.Snapshot, o.Migrations, o.MigFormat, o.MigPattern
	raw, err := os.ReadFile(snapPath)
	if err != nil {
		return rehearsal.Options{}, nil, rehearse.WithHint(err, "take one with `rehearse snapshot --dsn ... -o %s`", snapPath)
	}
	snap, err := snapshot.Load(strings.NewReader(string(raw)), snapPath)
	if err != nil {
		return rehearsal.Options{}, nil, err
	}
	sum := sha256.Sum256(raw)
	var set *migrations.Set
	if migDir != "" {
		set, err = migrations.Load(context.Background(), migrations.Options{Dir: migDir, Format: format, Pattern: pattern, Flavor: snap.Source.Flavor})
		if err != nil {
			return rehearsal.Options{}, nil, err
		}
		fmt.Fprintf(o.io.ErrOut, "rehearse: %s read as %s (%s)\n", set.Dir, set.Format, set.Detected)
		for _, p := range set.Problems {
			fmt.Fprintf(o.io.ErrOut, "%s\n", p)
		}
	}

	ro := rehearsal.Options{
		Snapshot: snap, SnapshotPath: snapPath, SnapshotDigest: hex.EncodeToString(sum[:]),
		Migrations: set, MigrationsDir: migDir, Database: o.Database,
		Scale: o.Scale, Seed: o.Seed, Baseline: o.Baseline,
		AppCompatWindow: o.AppCompat, LockWaitTimeout: o.LockWaitTimeout,
		Roundtrip: o.Roundtrip, KeepGoing: o.KeepGoing, SkipRollback: o.NoRollback, KeepServerOnFail: o.KeepOnFail,
		Tool: toolName(), Log: o.io.ErrOut,
		PlanConfig: cfg.Plan(), FirstAdoption: o.FirstAdoption, // the flag, else history.first_adoption
	}
	// --load, else load.rate, wins over the profile's rate; neither: the
	// profile's, else the default (rehearsal.Options.LoadRate 0).
	if o.changed("load") {
		ro.LoadRate = o.Load
	}
	if ro.LockWaitTimeout == 0 {
		if v, err := strconv.Atoi(snap.Settings["lock_wait_timeout"]); err == nil && v > 0 {
			ro.LockWaitTimeout = time.Duration(v) * time.Second
		}
	}
	if cfg != nil {
		if !o.changed("scale") && cfg.Scale > 0 {
			ro.Scale = cfg.Scale
		}
		if !o.changed("seed") && cfg.Seed != 0 {
			ro.Seed = cfg.Seed
		}
		if !o.changed("load") && cfg.Load.Rate > 0 {
			ro.LoadRate = cfg.Load.Rate
		}
		if !o.changed("baseline") && cfg.Load.Baseline != "" {
			ro.Baseline, _ = time.ParseDuration(cfg.Load.Baseline)
		}
		if !o.changed("lock-wait-timeout") && cfg.LockWaitTimeout != "" {
			ro.LockWaitTimeout, _ = time.ParseDuration(cfg.LockWaitTimeout)
		}
		if !o.changed("roundtrip") && cfg.Roundtrip {
			ro.Roundtrip = true
		}
		if o.changed != nil && !o.changed("strategy") && cfg.Strategy != "" {
			o.Strategy = cfg.Strategy
		}
		if !o.changed("keep-going") && cfg.KeepGoing {
			ro.KeepGoing = true
		}
		if len(cfg.Rows) > 0 {
			ro.Rows = cfg.Rows
		}
		ro.LoadProfile = cfg.LoadProfile()
	}
	if o.LoadProfile != "" {
		f, err := load.ReadProfile(o.LoadProfile)
		if err != nil {
			return rehearsal.Options{}, nil, err
		}
		ro.LoadProfile = f
	}
	if err := ro.CheckLoadProfile(); err != nil {
		return rehearsal.Options{}, nil, err
	}
	rows, _ := parseRowsFlag(o.Rows) // checked above
	for name, v := range rows {
		if ro.Rows == nil {
			ro.Rows = map[string]int64{}
		}
		ro.Rows[name] = v
	}
	return ro, cfg, nil
}

// write renders the report as the output flags ask.
func (o *runOptions) write(rep *result.Report) error { return o.outputFlags.write(o.io, rep) }
