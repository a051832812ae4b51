package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/snapshot"
)

func init() { subcommands = append(subcommands, newDiffCmd) }

type diffOptions struct {
	io         *ioStreams
	A, B       string
	NameA      string
	NameB      string
	Migrations string
	MigFormat  string
	MigPattern string
	outputFlags
	FailOn     string
	ScaleRatio float64
	ScaleMin   int64
	failOn     []snapshot.DriftKind
}

func newDiffCmd(io *ioStreams) *cobra.Command {
	opts := &diffOptions{io: io}
	cmd := &cobra.Command{
		Use:   "diff A.json B.json",
		Short: "Compare two snapshots (production vs staging): schema, history, settings, version and scale drift",
		Long: `Compare two snapshots and report every difference that can make a release behave
differently in one environment than in the other, each with its consequence:

  version   flavor and version
  settings  sql_mode, lock_wait_timeout, innodb_lock_wait_timeout, alter_algorithm, ...
  schema    tables, columns (type, nullability, default, charset), indexes, foreign keys,
            views, triggers, routines, events
  history   versions applied on one side only, dirty or failed entries, checksums; with
            --migrations, migrations the schema already reflects although the history says
            they are pending, and pending migrations numbered below the newest applied one
  scale     tables whose row counts differ by 10x or more

The result is written with the renderers of every result (rehearse report): --format
takes one or more of ` + strings.Join(formatsFor(&snapshot.DiffReport{}), ", ") + `; several need --out-dir, which
writes each to its own file (` + strings.Join(fileNamesFor(&snapshot.DiffReport{}), ", ") + `). JUnit has one test
case per drift kind, failed when that kind has findings (one failure each). -o also saves
the JSON result, which rehearse report renders again later.

Exit codes: 0 no drift of the --fail-on kinds, 1 drift found, 2 error.`,
		Example: `  rehearse diff prod.json staging.json
  rehearse diff prod.json staging.json --names production,staging --format md > parity.md
  rehearse diff prod.json staging.json --migrations ./migrations --fail-on schema,history
  rehearse diff prod.json staging.json --format table,md,junit,json --out-dir parity/
  rehearse diff prod.json staging.json --format json | jq '.findings[] | select(.kind=="scale")'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.A, opts.B = args[0], args[1]
			kinds, err := snapshot.ParseDriftKinds(opts.FailOn)
			if err != nil {
				return usageError{fmt.Errorf("--fail-on: %w", err)}
			}
			opts.failOn = kinds
			if _, err := checkFormatsFor(opts.Formats, opts.OutDir, &snapshot.DiffReport{}); err != nil {
				return err
			}
			if err := checkOutFile("-o", opts.Output); err != nil {
				return err
			}
			if opts.NameA == "" || opts.NameB == "" {
				return usageError{errors.New("--names: give two names, e.g. --names production,staging")}
			}
			return diffRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Migrations, "migrations", "", "migrations folder: also report migrations already reflected in a schema though pending, and pending migrations numbered below the newest applied one")
	f.StringVar(&opts.MigFormat, "migrations-format", "", migrationsFormatUsage)
	f.StringVar(&opts.MigPattern, "migrations-pattern", "", migrationsPatternUsage)
	addOutputFlags(f, &opts.outputFlags, &snapshot.DiffReport{}, "diff result")
	f.StringVar(&opts.FailOn, "fail-on", "all", "drift kinds that make the exit code 1: schema,history,settings,version,scale, all or none")
	f.Float64Var(&opts.ScaleRatio, "scale-ratio", 10, "row-count ratio from which a table's sizes count as scale drift")
	f.Int64Var(&opts.ScaleMin, "scale-min-rows", 10000, "the larger side's minimum row count for scale drift")
	var names string
	f.StringVar(&names, "names", "", "names of the two sides in the report, e.g. production,staging (default: the file names)")
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if names == "" {
			if len(args) == 2 {
				opts.NameA, opts.NameB = baseName(args[0]), baseName(args[1])
			}
			return nil
		}
		a, b, ok := strings.Cut(names, ",")
		opts.NameA, opts.NameB = strings.TrimSpace(a), strings.TrimSpace(b)
		if !ok {
			opts.NameA = ""
		}
		return nil
	}
	return cmd
}

func baseName(p string) string {
	i := strings.LastIndexAny(p, `/\`)
	return strings.TrimSuffix(p[i+1:], ".json")
}

func diffRun(ctx context.Context, opts *diffOptions) error {
	a, err := snapshot.LoadFile(opts.A)
	if err != nil {
		return err
	}
	b, err := snapshot.LoadFile(opts.B)
	if err != nil {
		return err
	}
	do := snapshot.DiffOptions{NameA: opts.NameA, NameB: opts.NameB, ScaleRatio: opts.ScaleRatio, ScaleMinRows: opts.ScaleMin}
	var note string
	if opts.Migrations != "" {
		checks, set, err := plan.LoadPending(ctx, migrations.Options{Dir: opts.Migrations, Format: opts.MigFormat, Pattern: opts.MigPattern, Flavor: a.Source.Flavor}, a, b)
		if err != nil {
			return err
		}
		do.Pending = checks
		note = plan.PendingSummary(set, checks)
		note = strings.NewReplacer("pending in A", "pending in "+opts.NameA, "pending in B", "pending in "+opts.NameB).Replace(note)
	}
	r := snapshot.Diff(a, b, do)
	if note != "" {
		r.Notes = append(r.Notes, note)
	}
	if err := writeDocument(opts.io, r, opts.Output, opts.Formats, opts.OutDir); err != nil {
		return err
	}
	if n := r.Count(opts.failOn...); n > 0 {
		return &rehearse.VerdictError{Reason: fmt.Sprintf("drift: %d findings of kinds %s between %s and %s", n, kindList(opts.failOn), opts.NameA, opts.NameB)}
	}
	return nil
}

func kindList(ks []snapshot.DriftKind) string {
	var s []string
	for _, k := range ks {
		s = append(s, string(k))
	}
	return strings.Join(s, ",")
}
