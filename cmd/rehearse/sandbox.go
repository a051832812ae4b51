package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newSandboxCmd) }

type sandboxOptions struct {
	io       *ioStreams
	engine   *engineFlags
	JSON     bool
	Snapshot string // restore this snapshot into the sandbox (added by the snapshot helper)
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

The DSN is for user root without a password on a loopback sandbox. With --engine dsn
it names the scratch database rehearse_<id> and never shows the password.`,
		Example: `  rehearse sandbox
  rehearse sandbox --flavor mariadb --version 10.11 --set lock_wait_timeout=5
  rehearse sandbox --engine local --flavor mysql --version 9.7   # from the make-images root
  rehearse sandbox --engine docker --image rehearse/mariadb:11.8 --json
  REHEARSE_DSN='me:secret@tcp(staging:3306)/' rehearse sandbox --engine dsn --keep
  rehearse sandbox --snapshot prod.json    # production's flavor, version, settings, schema and history (no rows)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return sandboxRun(cmd.Context(), opts)
		},
	}
	opts.engine = addEngineFlags(cmd)
	cmd.Flags().StringVar(&opts.Snapshot, "snapshot", "", "start the snapshot's flavor/version with its settings and restore its schema and migration history (a file from `rehearse snapshot`)")
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
	if opts.Snapshot != "" { // snapshot helper: sandbox_snapshot.go
		s, err = startFromSnapshot(ctx, eng, eopts, opts.Snapshot, errOut)
	} else {
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
	if opts.JSON {
		out := struct {
			DSN      string `json:"dsn"`
			Engine   string `json:"engine"`
			Flavor   string `json:"flavor"`
			Version  string `json:"version"`
			Database string `json:"database,omitempty"`
		}{s.DisplayDSN(), s.Engine, string(s.Flavor), s.Version, s.Database}
		if err := json.NewEncoder(opts.io.Out).Encode(out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(opts.io.Out, "DSN: %s\n", s.DisplayDSN())
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
