package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/capacity"
	"github.com/rehearse/rehearse/rehearse/result"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

func init() { subcommands = append(subcommands, newCapacityCmd) }

// capacityOptions hold `rehearse capacity`'s own flags; the rehearsal's
// (snapshot, migrations, engine, load) go through runOptions.build.
type capacityOptions struct {
	run           *runOptions
	Scales        string
	TargetScale   float64
	ProdFreeDisk  string
	DeployTimeout time.Duration
	ProdWriteRate float64
	ScalePool     string
	ScaleRedo     string
	Repeat        int
}

func newCapacityCmd(io *ioStreams) *cobra.Command {
	return capacityCommand(&capacityOptions{run: &runOptions{io: io}})
}

// capacityCommand is `rehearse capacity` writing its flags into o.
func capacityCommand(o *capacityOptions) *cobra.Command {
	ro := o.run
	cmd := &cobra.Command{
		Use:   "capacity --snapshot FILE --migrations DIR",
		Short: "Predict duration, disk, log and stalls at production scale from rehearsals at small scales",
		Long: `Rehearse the pending migrations at several fractions of production's row counts
(--scales) under the same load, fit each statement's measurements against its table's
rows (constant for metadata-only changes, linear for a table copy, n·log n for an index
build: chosen by the plan's operation class and checked against the fit), and predict
--target-scale: duration, writer stall, disk needed, redo log and the online-DDL log,
each with a band from the leave-one-out errors and the fit's R².

Findings: a copy that needs more disk than --prod-free-disk (never called safe when the
free disk is unknown or below the upper end of the need), an online log that would
overflow innodb_online_alter_log_max_size (from the snapshot) at production's write
rate, a predicted duration longer than --deploy-timeout. Exit code 1 when a finding is
an error, 0 otherwise, 2 when the rehearsals could not run.

Each scale is rehearsed --repeat times (median taken), with the buffer pool and the
redo log scaled with the data from the snapshot's settings, so memory/data and
redo/data stay production's. The load (--load, --load-profile) is the same at every scale. The rollback and the previous-app check are skipped,
and --inject faults are not taken (they add waits that do not grow with rows).
See docs/capacity.md.`,
		Example: `  rehearse capacity --snapshot prod.json --migrations ./migrations
  rehearse capacity --snapshot prod.json --migrations ./migrations --scales 0.01,0.03,0.1 \
      --prod-free-disk 200G --deploy-timeout 10m --load 500
  rehearse capacity --config rehearse.yaml --format table,html,json --out-dir out/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ro.changed = cmd.Flags().Changed
			return capacityRun(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	addInputFlags(fs, &ro.inputFlags, inputUsage{})
	fs.StringVar(&o.Scales, "scales", "0.01,0.03,0.1", "fractions of production's row counts to rehearse, comma-separated (at least 3 for a prediction)")
	fs.Float64Var(&o.TargetScale, "target-scale", 1, "the scale to predict (1 = production's row counts)")
	fs.StringVar(&o.ProdFreeDisk, "prod-free-disk", "", "free disk on production's data volume, e.g. 200G (without it no copy is called safe)")
	fs.DurationVar(&o.DeployTimeout, "deploy-timeout", 0, "how long the deploy lets migrations run, e.g. 10m")
	fs.Float64Var(&o.ProdWriteRate, "prod-write-rate", 0, "production's write load in ops/s for the online-log prediction (default: --load)")
	fs.StringVar(&o.ScalePool, "scale-buffer-pool", "", "the buffer pool at the target scale, e.g. 128M: each rehearsal gets the same share of it as of the data, so memory/data stays production's (default: the snapshot's innodb_buffer_pool_size; off: the server's own at every scale)")
	fs.StringVar(&o.ScaleRedo, "scale-redo-log", "", "the redo log (innodb_log_file_size) at the target scale, scaled like --scale-buffer-pool (default: the snapshot's; off: the server's own at every scale)")
	fs.IntVar(&o.Repeat, "repeat", 3, "rehearse each scale this many times; the fit takes each statement's median (one run on a busy machine can be off by 2×)")
	addRehearsalFlags(fs, &ro.rehearsalFlags, "seed", "load", "load-profile", "baseline", "lock-wait-timeout", "no-cache")
	changeDefault(fs, "baseline", "2s", "every scale is rehearsed --repeat times", "")
	addOutputFlags(fs, &ro.outputFlags, &result.Report{}, "report ("+result.FormatV1+", capacity section filled)")
	ro.engine = addEngineFlags(cmd)
	ro.replicas = addReplicaFlags(cmd)
	return cmd
}

func capacityRun(ctx context.Context, o *capacityOptions) error {
	if _, err := checkFormats(o.run.Formats, o.run.OutDir); err != nil {
		return err
	}
	if err := checkOutFile("-o", o.run.Output); err != nil {
		return err
	}
	if err := checkScale("--target-scale", o.TargetScale); err != nil {
		return err
	}
	scales, err := parseScales(o.Scales)
	if err != nil {
		return usageError{err}
	}
	if o.Repeat < 1 {
		return usageError{rehearse.WithHint(fmt.Errorf("--repeat %d: at least 1", o.Repeat), "--repeat 3 takes the median of three runs per scale")}
	}
	free, err := parseSize(o.ProdFreeDisk)
	if err != nil {
		return usageError{rehearse.WithHint(fmt.Errorf("--prod-free-disk %q: %w", o.ProdFreeDisk, err), "give bytes with an optional K, M, G or T suffix, e.g. 200G")}
	}
	var pool int64
	if o.ScalePool != "off" {
		pool, err = parseSize(o.ScalePool)
	}
	if err != nil {
		return usageError{rehearse.WithHint(fmt.Errorf("--scale-buffer-pool %q: %w", o.ScalePool, err), "give bytes with an optional K, M, G or T suffix, e.g. 128M")}
	}
	// Injections and gates are not part of a capacity check.
	o.run.Inject, o.run.Gates, o.run.noFaults = nil, nil, true
	ropts, err := o.run.build()
	if err != nil {
		return err
	}
	if o.ScalePool == "" {
		pool, _ = strconv.ParseInt(ropts.Snapshot.Settings["innodb_buffer_pool_size"], 10, 64)
	}
	var redo int64
	switch o.ScaleRedo {
	case "off":
	case "":
		redo = capacity.RedoSetting(ropts)
	default:
		if redo, err = parseSize(o.ScaleRedo); err != nil {
			return usageError{rehearse.WithHint(fmt.Errorf("--scale-redo-log %q: %w", o.ScaleRedo, err), "give bytes with an optional K, M, G or T suffix, e.g. 1G")}
		}
	}
	copts := capacity.Options{Run: ropts, Scales: scales, TargetScale: o.TargetScale, ProdFreeDisk: free,
		DeployTimeout: o.DeployTimeout, ProdWriteRate: o.ProdWriteRate, ScalePool: pool, ScaleRedo: redo, Repeat: o.Repeat, Log: o.run.io.ErrOut}
	copts.Progress = func(scale float64, i, n int) {
		fmt.Fprintf(o.run.io.ErrOut, "rehearse: capacity: scale %g (%d of %d)\n", scale, i, n)
	}
	rep, err := capacity.Check(ctx, copts)
	if rep != nil {
		if werr := o.run.write(rep); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return err
	}
	if rep.Verdict != result.Pass {
		return &rehearse.VerdictError{Reason: rep.Reason}
	}
	return nil
}

// extrapolate is `rehearse run --extrapolate`: rehearse again at a tenth
// and about a third of the run's scale and predict production (scale 1).
func extrapolate(ctx context.Context, o *runOptions, ropts rehearsal.Options, rep *result.Report) error {
	copts := capacity.Options{Run: ropts, TargetScale: 1, Log: o.io.ErrOut}
	copts.Progress = func(scale float64, i, n int) {
		fmt.Fprintf(o.io.ErrOut, "rehearse: extrapolate: scale %g (%d of %d)\n", scale, i, n)
	}
	return capacity.Extrapolate(ctx, copts, rep)
}

func parseScales(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return nil, rehearse.WithHint(fmt.Errorf("--scales: %q is not a positive number", f), "e.g. --scales 0.01,0.03,0.1")
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, rehearse.WithHint(fmt.Errorf("--scales is empty"), "e.g. --scales 0.01,0.03,0.1")
	}
	return out, nil
}

// parseSize reads "200G", "1.5T", "512M", "1048576" (binary units).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	if s == "" {
		return 0, nil
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "B"), "I")
	mult := 1.0
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			s = s[:n-1]
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("not a size")
	}
	return int64(v * mult), nil
}
