package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/snapshot"
)

func init() { subcommands = append(subcommands, newSandboxCmd) }

type sandboxOptions struct {
	io       *ioStreams
	engine   *engineFlags
	JSON     bool
	Snapshot string // restore this snapshot into the sandbox (added by the snapshot helper)

	// Synthetic data after the restore (sandbox_fill.go).
	Scale  float64
	Seed   uint64
	Rows   []string
	Tables []string
	rows   map[string]int64
	// defaultScale: --rows or --tables without --scale (rehearse run's
	// default scale for the other tables).
	defaultScale bool
	NoCache      bool
}

func newSandboxCmd(io *ioStreams) *cobra.Command {
	opts := &sandboxOptions{io: io}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Start a throwaway MySQL or MariaDB server and keep it until Ctrl-C",
		Long: `Start a throwaway server, print its DSN on standard output, and keep it running
until Ctrl-C or SIGTERM; then stop it and remove everything it created (container,
process, folders, or the scratch database of --engine dsn). Progress goes to
standard error.

The DSN is for user root: without a password on a local sandbox (it listens on
127.0.0.1 only); with the sandbox's own random password on a docker sandbox (published
on 127.0.0.1, or on a remote Docker host's address). That password is printed here
only, for you to connect; it never reaches a report or a log. With --engine dsn the
DSN names the scratch database rehearse_<id> and never shows your password.

With --snapshot the server is production's flavor and version with its settings,
schema and migration history, and no rows. --scale X then fills it with synthetic
rows, as rehearse run does before a rehearsal: the snapshot's row counts × X (per
table: --rows), every key and foreign key holding, values following the snapshot's
statistics; the history tables keep the snapshot's history. --rows and --tables
ask for data as in rehearse run: without --scale the other tables get run's default
scale, 0.01. The same snapshot, --scale, --rows and --seed give the same rows as
rehearse run with those flags. Progress goes to standard error; the DSN is printed
once the data is in.`,
		Example: `  rehearse sandbox
  rehearse sandbox --flavor mariadb --version 10.11 --set lock_wait_timeout=5
  rehearse sandbox --engine local --flavor mysql --version 9.7   # from the make-images root
  rehearse sandbox --engine docker --image rehearse/mariadb:11.8 --json
  REHEARSE_TARGET_DSN='me:secret@tcp(staging:3306)/' rehearse sandbox --engine dsn --keep
  rehearse sandbox --snapshot prod.json    # production's flavor, version, settings, schema and history (no rows)
  rehearse sandbox --snapshot prod.json --scale 0.1 --seed 7    # ... and a tenth of production's rows, synthetic
  rehearse sandbox --snapshot prod.json --scale 0.01 --rows orders=500000 --tables orders,customers
  rehearse sandbox --snapshot prod.json --rows orders=50000    # the rows rehearse run --rows orders=50000 generates`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.checkFill(cmd.Flags().Changed); err != nil {
				return err
			}
			return sandboxRun(cmd.Context(), opts)
		},
	}
	opts.engine = addEngineFlags(cmd)
	cmd.Flags().StringVar(&opts.Snapshot, "snapshot", "", snapshotUsage)
	cmd.Flags().Float64Var(&opts.Scale, "scale", 0, "with --snapshot: fill the tables with synthetic rows, the snapshot's row counts × `X` (e.g. 0.1; default: schema only)")
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "with --scale or --rows: seed of the synthetic rows (the same seed gives the same rows, as in rehearse run)")
	cmd.Flags().StringArrayVar(&opts.Rows, "rows", nil, rowsUsage)
	cmd.Flags().StringSliceVar(&opts.Tables, "tables", nil, "with --snapshot: fill only these tables (comma-separated; default: all but the migration history; at --scale, default 0.01)")
	cmd.Flags().BoolVar(&opts.NoCache, "no-cache", false, noCacheUsage)
	cmd.Flags().BoolVar(&opts.JSON, "json", false, `print {"dsn","engine","flavor","version"} instead of the DSN line`)
	return cmd
}

// sandboxStopTimeout bounds the removal after Ctrl-C.
const sandboxStopTimeout = 60 * time.Second

func sandboxRun(ctx context.Context, opts *sandboxOptions) error {
	errOut := opts.io.ErrOut
	eng, eopts, err := opts.engine.build(errOut)
	if err != nil {
		return err
	}
	t0 := time.Now()
	var s *engine.Server
	var snap *snapshot.Snapshot
	filled := false
	if opts.Snapshot != "" && opts.Scale > 0 { // from the data cache when it can (sandbox_fill.go)
		if s, filled, err = startFilled(ctx, eng, eopts, opts); err != nil {
			return err
		}
	}
	switch {
	case filled:
	case opts.Snapshot != "": // snapshot helper: sandbox_snapshot.go
		s, snap, err = startFromSnapshot(ctx, eng, eopts, opts.Snapshot, errOut)
	default:
		fmt.Fprintf(errOut, "rehearse: starting %s (--engine %s)\n", describeRequest(eopts), eng.Name())
		s, err = eng.Start(ctx, eopts)
	}
	if err != nil {
		return err
	}
	defer func() {
		if s != nil {
			sctx, cancel := context.WithTimeout(context.Background(), sandboxStopTimeout)
			_ = s.Stop(sctx)
			cancel()
		}
	}()
	if opts.Scale > 0 && !filled {
		if err := fillSandbox(ctx, s, snap, opts, dsnPassword(eopts.DSN)); err != nil {
			return err
		}
	}
	if opts.JSON {
		out := struct {
			DSN      string `json:"dsn"`
			Engine   string `json:"engine"`
			Flavor   string `json:"flavor"`
			Version  string `json:"version"`
			Database string `json:"database,omitempty"`
		}{s.UserDSN(), s.Engine, string(s.Flavor), s.Version, s.Database}
		if err := json.NewEncoder(opts.io.Out).Encode(out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(opts.io.Out, "DSN: %s\n", s.UserDSN())
	}
	fmt.Fprintf(errOut, "rehearse: %s %s running (%s engine, ready in %s); press Ctrl-C to stop and remove it\n",
		s.Flavor, s.Version, s.Engine, time.Since(t0).Round(10*time.Millisecond))

	<-ctx.Done()
	fmt.Fprintln(errOut, "rehearse: stopping and removing the sandbox")
	sctx, cancel := context.WithTimeout(context.Background(), sandboxStopTimeout)
	defer cancel()
	err = s.Stop(sctx)
	s = nil
	if err != nil {
		return fmt.Errorf("remove the sandbox: %w", err)
	}
	fmt.Fprintln(errOut, "rehearse: removed")
	return nil
}
