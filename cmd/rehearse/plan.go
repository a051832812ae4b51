package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/declarative"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/plan/rules"
	"github.com/rehearse/rehearse/snapshot"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newPlanCmd) }

type planOptions struct {
	io *ioStreams
	inputFlags
	outputFlags
	NoVerify     bool
	changed      func(string) bool
	MaxFileBytes int64
	engine       *engineFlags
}

func newPlanCmd(io *ioStreams) *cobra.Command {
	opts := &planOptions{io: io}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what a release's pending migrations will do to production, verified by a schema-only sandbox",
		Long: `plan reads the migrations folder (golang-migrate, goose, dbmate, Flyway, Liquibase
formatted SQL, sql-migrate, pop/popx, Prisma Migrate, Atlas, Sqitch, or an in-house
runner's names with --migrations-pattern; docs/migrations.md), computes the pending set against the snapshot's migration
history, finds drift, classifies every statement (operation, table and its size,
predicted algorithm and lock for the snapshot's exact server version, rebuild, estimated
duration) and verifies it on a schema-only sandbox restored from the snapshot: each ALTER
is run up the ALGORITHM/LOCK ladder and every failure is classified by error number.

The plan is written with the renderers of every result (rehearse report): --format
takes one or more of ` + strings.Join(formatsFor(&plan.Plan{}), ", ") + `; several need --out-dir, which
writes each to its own file (` + strings.Join(fileNamesFor(&plan.Plan{}), ", ") + `). JUnit has one test case
per statement and per finding; error-severity findings are failures. -o also saves the JSON
plan (rehearse.plan/v1), which rehearse report renders again later.

Exit codes: 0 no error-severity finding, 1 an error-severity finding, 2 could not plan.`,
		Example: `  rehearse plan --snapshot prod.json --migrations ./migrations
  rehearse plan --snapshot prod.json --migrations ./db --format md >> "$GITHUB_STEP_SUMMARY"
  rehearse plan --snapshot prod.json --migrations ./db --format table,md,junit,json --out-dir out/
  rehearse plan --snapshot prod.json --migrations ./db --no-verify -o plan.json
  rehearse plan --snapshot prod.json --target-schema ./schema --allow-destructive   # Skeema, Atlas schema apply, schema.sql
  rehearse plan --snapshot auth.json --migrations ./storage/migrations --migrations-pattern 'V{version}.{name}.{direction}.sql'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := checkFormatsFor(opts.Formats, opts.OutDir, &plan.Plan{}); err != nil {
				return err
			}
			if err := checkOutFile("-o", opts.Output); err != nil {
				return err
			}
			opts.changed = cmd.Flags().Changed
			return planRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	addInputFlags(f, &opts.inputFlags, inputUsage{schemaAlias: true, targetSchema: true})
	addOutputFlags(f, &opts.outputFlags, &plan.Plan{}, "plan ("+plan.FormatV1+")")
	f.BoolVar(&opts.NoVerify, "no-verify", false, "do not start the schema-only sandbox: predictions only")
	f.Int64Var(&opts.MaxFileBytes, "max-file-size", migrations.DefaultMaxFileBytes, "largest migration file read, in bytes")
	opts.engine = addEngineFlags(cmd)
	return cmd
}

func planRun(ctx context.Context, opts *planOptions) error {
	cfg, err := readConfig(opts.Config, opts.io.ErrOut)
	if err != nil {
		return err
	}
	if err := opts.inputFlags.fromConfig(cfg, opts.changed); err != nil {
		return err
	}
	opts.engine.fromConfig(cfg, opts.changed)
	snap, err := snapshot.LoadFile(opts.Snapshot)
	if err != nil {
		return err
	}
	var set *migrations.Set
	if opts.TargetSchema != "" {
		eng, eopts, err := opts.engine.build(opts.io.ErrOut)
		if err != nil {
			return err
		}
		cfg.AddSettings(&eopts)
		set, err = declarative.Build(ctx, declarative.Options{Snapshot: snap, Schema: opts.Database, Target: opts.TargetSchema,
			AllowDestructive: opts.AllowDestructive, Engine: eng, EngineOptions: eopts, Log: opts.io.ErrOut})
		if err != nil {
			return err
		}
	} else if set, err = migrations.Load(ctx, migrations.Options{Dir: opts.Migrations, Format: opts.MigFormat, Pattern: opts.MigPattern, Flavor: snap.Source.Flavor, MaxFileBytes: opts.MaxFileBytes}); err != nil {
		return err
	}
	fmt.Fprintf(opts.io.ErrOut, "rehearse: %s read as %s (%s)\n", set.Dir, set.Format, set.Detected)
	po := plan.Options{Snapshot: snap, SnapshotFile: opts.Snapshot, Migrations: set, Schema: opts.Database,
		Rules: rules.All(), Config: cfg.Plan(), FirstAdoption: opts.FirstAdoption,
		Tool: toolName(), Log: opts.io.ErrOut, Verify: !opts.NoVerify}
	if po.Verify {
		eng, eopts, err := opts.engine.build(opts.io.ErrOut)
		if err != nil {
			return err
		}
		cfg.AddSettings(&eopts)
		po.Engine, po.EngineOptions = eng, eopts
		po.CacheDir = engineConfig(io.Discard).CacheDir
	}
	p, err := plan.Build(ctx, po)
	if err != nil {
		return err
	}
	if err := writeDocument(opts.io, p, opts.Output, opts.Formats, opts.OutDir); err != nil {
		return err
	}
	if p.Summary.Errors > 0 {
		return &rehearse.VerdictError{Reason: fmt.Sprintf("plan: %d error-severity finding(s)", p.Summary.Errors)}
	}
	return nil
}
