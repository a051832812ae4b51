package scenarios

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/snapshot"
)

// PrepareOptions say which variant of a scenario to rehearse, on what.
type PrepareOptions struct {
	Variant string  // "" = unsafe
	Scale   float64 // 0 = the variant's configured scale
	// Engine and EngineOptions start the server. EngineOptions.Flavor
	// chooses the snapshots ("mysql": those captured from MySQL).
	Engine        engine.Engine
	EngineOptions engine.Options
	// TempDir holds the exported inputs ("" = the system's).
	TempDir string
	Tool    string
	Log     io.Writer
}

// Prepared is a scenario variant ready to rehearse: the rehearsal's options
// and the expectations to check on its report. Close removes the temporary
// folder that holds the inputs.
type Prepared struct {
	Scenario *Scenario
	Variant  *Variant
	Options  run.Options
	Expect   *Expectations
	Dir      string
}

// Close removes the prepared inputs.
func (p *Prepared) Close() error { return os.RemoveAll(p.Dir) }

// Prepare exports the variant to a temporary folder and turns its
// rehearse.yaml into run.Options the way `rehearse run --config` reads it:
// the snapshot and migrations it names, scale, load, lock_wait_timeout (the
// snapshot's setting when unset), injections and gates. The caller runs
// run.Run(ctx, p.Options), then Check(report, p.Expect), then Close.
func Prepare(ctx context.Context, s *Scenario, opts PrepareOptions) (p *Prepared, err error) {
	v, err := s.Variant(opts.Variant)
	if err != nil {
		return nil, err
	}
	exp, err := s.Expectations(v.Name)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(opts.TempDir, "rehearse-scenario-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	res, err := Export(s, ExportOptions{Variant: v.Name, Dir: dir, Flavor: string(opts.EngineOptions.Flavor)})
	if err != nil {
		return nil, err
	}
	ro, err := prepareConfig(ctx, filepath.Join(dir, res.Config), "scenario:"+s.Name+"/"+v.Name+"/", s.Name, opts)
	if err != nil {
		return nil, err
	}
	return &Prepared{Scenario: s, Variant: v, Options: ro, Expect: exp, Dir: dir}, nil
}

// prepareConfig turns a scenario folder's rehearse.yaml into run.Options
// the way `rehearse run --config` reads it. label prefixes the inputs'
// names in the report; name is the scenario's, for messages.
func prepareConfig(ctx context.Context, cfgPath, label, name string, opts PrepareOptions) (run.Options, error) {
	cfg, err := run.ReadConfig(cfgPath)
	if err != nil {
		return run.Options{}, err
	}
	raw, err := os.ReadFile(cfg.Path(cfg.Snapshot))
	if err != nil {
		return run.Options{}, err
	}
	snap, err := snapshot.Load(bytes.NewReader(raw), cfg.Snapshot)
	if err != nil {
		return run.Options{}, err
	}
	sum := sha256.Sum256(raw)
	set, err := migrations.Load(ctx, migrations.Options{Dir: cfg.Path(cfg.Migrations), Format: cfg.Format, Pattern: cfg.MigrationsPattern})
	if err != nil {
		return run.Options{}, err
	}
	ro := run.Options{
		Snapshot: snap, SnapshotPath: label + cfg.Snapshot, SnapshotDigest: hex.EncodeToString(sum[:]),
		Migrations: set, MigrationsDir: label + cfg.Migrations,
		Engine: opts.Engine, EngineOptions: opts.EngineOptions,
		Scale: cfg.Scale, Seed: cfg.Seed, Rows: cfg.Rows, LoadRate: cfg.Load.Rate, Roundtrip: cfg.Roundtrip,
		Tool: opts.Tool, Log: opts.Log, Strategy: run.StrategyOptions{Name: cfg.Strategy},
	}
	if ro.Seed == 0 {
		ro.Seed = 1
	}
	if opts.Scale > 0 {
		ro.Scale = opts.Scale
	}
	if cfg.Load.Baseline != "" {
		ro.Baseline, _ = time.ParseDuration(cfg.Load.Baseline) // validated by ReadConfig
	}
	if cfg.LockWaitTimeout != "" {
		ro.LockWaitTimeout, _ = time.ParseDuration(cfg.LockWaitTimeout)
	} else if n, err := strconv.Atoi(snap.Settings["lock_wait_timeout"]); err == nil && n > 0 {
		ro.LockWaitTimeout = time.Duration(n) * time.Second
	}
	for _, spec := range cfg.Inject {
		in, err := run.ParseInjection(spec)
		if err != nil {
			return run.Options{}, fmt.Errorf("scenario %s: %w", name, err)
		}
		ro.Injections = append(ro.Injections, in)
	}
	names := make([]string, 0, len(cfg.Gates))
	for n := range cfg.Gates {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g, err := run.ParseGate(n + "=" + cfg.Gates[n])
		if err != nil {
			return run.Options{}, fmt.Errorf("scenario %s: %w", name, err)
		}
		ro.Gates = append(ro.Gates, g)
	}
	if len(cfg.Settings) > 0 {
		ro.EngineOptions.Settings = map[string]string{}
		for k, val := range opts.EngineOptions.Settings {
			ro.EngineOptions.Settings[k] = val
		}
		for k, val := range cfg.Settings {
			if _, set := ro.EngineOptions.Settings[k]; !set {
				ro.EngineOptions.Settings[k] = val
			}
		}
	}
	return ro, nil
}
