package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse/result"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

func init() { subcommands = append(subcommands, newCompareCmd) }

// compareOptions hold `rehearse compare`'s flags; the rehearsal's own are
// run's.
type compareOptions struct {
	run        runOptions
	Strategies string
}

func newCompareCmd(io *ioStreams) *cobra.Command {
	return compareCommand(&compareOptions{run: runOptions{io: io}})
}

// compareCommand is `rehearse compare` writing its flags into o.
func compareCommand(o *compareOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "compare --snapshot FILE --migrations DIR --strategies native,pt-osc[,online-copy][,cmd]",
		Short: "Rehearse the release once per ALTER strategy (native, pt-osc, online-copy, your tool) on the same data under the same load, side by side",
		Long: `Rehearse the release once per strategy, each on identical data (the same seed, restored
from the same filled datadir of the data cache, not regenerated) under the identical
simulated application, with the strategy applied to every ALTER TABLE and CREATE INDEX:

  native       the statement as written: the server's own ALTER (INSTANT, INPLACE, COPY)
  pt-osc       Percona's pt-online-schema-change (triggers, chunked copy, atomic RENAME);
               its defaults (--chunk-time 0.5, --max-load Threads_running=25,
               --critical-load Threads_running=50), --set-vars lock_wait_timeout from
               --lock-wait-timeout; more options with --pt-osc-arg
  online-copy  ALGORITHM=COPY, LOCK=NONE: MariaDB 11.2+'s online table copy (refused on
               servers without it)
  cmd          your own tool from --osc-cmd's template (gh-ost, Spirit, ...), e.g.
               --osc-cmd 'gh-ost --host={host} --port={port} --user={user} --password={password}
                 --database={database} --table={table} --alter={alter} --allow-on-master --execute'

online-copy needs a MariaDB 11.2+ server: --flavor mariadb --version 11.8 rehearses on one.

Per statement: each strategy's duration, writers blocked and longest stall, the share of
the writers' time they were blocked (in all, and outside the cut-over), the cut-over
stall (the longest write in flight when the tool swapped the tables, or when the native
ALTER took its final lock), write p99 against the baseline, write errors, extra disk,
redo written, replica lag (--replicas), whether the table it left is identical to the
first strategy's; then a recommendation and its reason. The tables' checksums before
the load show the data was the same for each (with --no-cache each strategy regenerates
the same rows from --seed).

Exit code: 0 when every strategy rehearsed (whatever the figures), 2 when one could not
run at all.`,
		Example: `  rehearse compare --snapshot prod.json --migrations ./migrations --strategies native,pt-osc
  rehearse compare --snapshot prod.json --migrations ./migrations --strategies native,cmd --format table,md,json --out-dir out/ \
      --osc-cmd 'pt-online-schema-change --alter {alter} --execute --no-version-check --recursion-method=none h={host},P={port},u={user},D={database},t={table}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.run.changed = cmd.Flags().Changed
			return compareRun(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	r := &o.run
	fs.StringVar(&o.Strategies, "strategies", "native,pt-osc", "the strategies to compare, comma-separated: "+strings.Join(rehearsal.StrategyNames(), ", "))
	addInputFlags(fs, &r.inputFlags, inputUsage{noFirstAdoption: true})
	addRehearsalFlags(fs, &r.rehearsalFlags, "scale", "seed", "rows", "load", "load-profile", "baseline", "app-compat-window",
		"lock-wait-timeout", "gate", "no-rollback", "no-cache")
	addOutputFlags(fs, &r.outputFlags, &result.Comparison{}, "comparison ("+result.FormatCompareV1+")")
	r.addStrategyFlags(cmd)
	r.engine = addEngineFlags(cmd)
	r.replicas = addReplicaFlags(cmd)
	return cmd
}

func compareRun(ctx context.Context, o *compareOptions) error {
	r := &o.run
	if _, err := checkFormatsFor(r.Formats, r.OutDir, &result.Comparison{}); err != nil {
		return err
	}
	if err := checkOutFile("-o", r.Output); err != nil {
		return err
	}
	var names []string
	for _, s := range strings.Split(o.Strategies, ",") {
		if s = strings.TrimSpace(s); s != "" {
			names = append(names, s)
		}
	}
	if err := rehearsal.CheckStrategyList(names); err != nil {
		return usageError{err}
	}
	ropts, err := r.build()
	if err != nil {
		return err
	}
	ropts.Strategy.Name = ""
	start := time.Now()
	cmp, err := rehearsal.Compare(ctx, ropts, names)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.io.ErrOut, "rehearse: %d strategies compared in %s\n", len(names), time.Since(start).Round(time.Second))
	if err := r.outputFlags.write(r.io, cmp); err != nil {
		return err
	}
	for _, run := range cmp.Runs {
		if run.Verdict == result.Error {
			return fmt.Errorf("strategy %s could not be rehearsed: %s", run.Strategy, run.Reason)
		}
	}
	return nil
}
