package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/plan/rules"
	"github.com/rehearse/rehearse/snapshot"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newPlanCmd) }

type planOptions struct {
	io           *ioStreams
	Snapshot     string
	Migrations   string
	MigFormat    string
	Format       string
	Schema       string
	Config       string
	NoVerify     bool
	MaxFileBytes int64
	engine       *engineFlags
}

func newPlanCmd(io *ioStreams) *cobra.Command {
	opts := &planOptions{io: io}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what a release's pending migrations will do to production, verified by a schema-only sandbox",
		Long: `plan reads the migrations folder (golang-migrate, goose, dbmate, Flyway, Liquibase
formatted SQL, sql-migrate), computes the pending set against the snapshot's migration
history, finds drift, classifies every statement (operation, table and its size,
predicted algorithm and lock for the snapshot's exact server version, rebuild, estimated
duration) and verifies it on a schema-only sandbox restored from the snapshot: each ALTER
is run up the ALGORITHM/LOCK ladder and every failure is classified by error number.

Exit codes: 0 no error-severity finding, 1 an error-severity finding, 2 could not plan.`,
		Example: `  rehearse plan --snapshot prod.json --migrations ./migrations
  rehearse plan --snapshot prod.json --migrations ./db --format md > plan.md
  rehearse plan --snapshot prod.json --migrations ./db --format json --no-verify`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Snapshot == "" || opts.Migrations == "" {
				return usageError{fmt.Errorf("plan needs --snapshot FILE and --migrations DIR")}
			}
			switch opts.Format {
			case "table", "json", "md":
			default:
				return usageError{fmt.Errorf("--format %q: use table, json or md", opts.Format)}
			}
			return planRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Snapshot, "snapshot", "", "snapshot `FILE` of production (rehearse snapshot)")
	f.StringVar(&opts.Migrations, "migrations", "", "migrations `DIR`")
	f.StringVar(&opts.MigFormat, "migrations-format", "", "migration format: "+strings.Join(migrations.Formats(), "|")+" (default: detected)")
	f.StringVar(&opts.Format, "format", "table", "output: table|json|md")
	f.StringVar(&opts.Schema, "schema", "", "the snapshot database the migrations apply to (default: the history's)")
	f.StringVar(&opts.Config, "config", "", "rehearse.yaml with a rules: section (default: ./rehearse.yaml when present)")
	f.BoolVar(&opts.NoVerify, "no-verify", false, "do not start the schema-only sandbox: predictions only")
	f.Int64Var(&opts.MaxFileBytes, "max-file-size", migrations.DefaultMaxFileBytes, "largest migration file read, in bytes")
	opts.engine = addEngineFlags(cmd)
	return cmd
}

func planRun(ctx context.Context, opts *planOptions) error {
	snap, err := snapshot.LoadFile(opts.Snapshot)
	if err != nil {
		return err
	}
	set, err := migrations.Load(ctx, migrations.Options{Dir: opts.Migrations, Format: opts.MigFormat, MaxFileBytes: opts.MaxFileBytes})
	if err != nil {
		return err
	}
	cfgPath, optional := opts.Config, false
	if cfgPath == "" {
		cfgPath, optional = "rehearse.yaml", true
	}
	cfg, err := plan.LoadConfig(cfgPath, optional)
	if err != nil {
		return err
	}
	po := plan.Options{Snapshot: snap, SnapshotFile: opts.Snapshot, Migrations: set, Schema: opts.Schema,
		Rules: rules.All(), Config: cfg, Tool: "rehearse " + versionString(), Log: opts.io.ErrOut, Verify: !opts.NoVerify}
	if po.Verify {
		eng, eopts, err := opts.engine.build(opts.io.ErrOut)
		if err != nil {
			return err
		}
		po.Engine, po.EngineOptions = eng, eopts
		po.CacheDir = engineConfig(io.Discard).CacheDir
	}
	p, err := plan.Build(ctx, po)
	if err != nil {
		return err
	}
	switch opts.Format {
	case "json":
		enc := json.NewEncoder(opts.io.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(p); err != nil {
			return err
		}
	case "md":
		writePlanMarkdown(opts.io.Out, p)
	default:
		writePlanTable(opts.io.Out, p)
	}
	if p.Summary.Errors > 0 {
		return &rehearse.VerdictError{Reason: fmt.Sprintf("plan: %d error-severity finding(s)", p.Summary.Errors)}
	}
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	return "dev"
}

func algoText(sp *plan.StatementPlan) (pred, ver string) {
	if a := sp.Predicted; a != nil {
		pred = a.Algorithm + "/" + a.Lock
		if a.Rebuild {
			pred += " rebuild"
		}
	}
	if v := sp.Verified; v != nil && v.Algorithm != "" {
		ver = v.Algorithm + "/" + v.Lock
		if sp.Predicted != nil && !v.Agrees {
			ver += " (!)"
		}
	}
	return
}

func tableText(sp *plan.StatementPlan) string {
	t := sp.Table
	switch {
	case t == nil:
		return ""
	case t.Missing:
		return t.Name + " (missing)"
	case t.New:
		return t.Name + " (new)"
	}
	return fmt.Sprintf("%s (%s rows)", t.Name, humanInt(t.Rows))
}

func opsText(sp *plan.StatementPlan) string {
	var s []string
	for _, op := range sp.Ops {
		x := op.Class
		if op.Object != "" {
			x += " " + op.Object
		}
		s = append(s, x)
	}
	if !sp.Analysed && sp.Via == "" {
		return "not analysed"
	}
	return strings.Join(s, ", ")
}

func estText(sp *plan.StatementPlan) string {
	if sp.Estimate == nil || sp.Estimate.Seconds < 0 {
		return ""
	}
	return fmt.Sprintf("%.1fs", sp.Estimate.Seconds)
}

// planRows flattens statements: DDL inside PREPARE strings and routines
// appear under their statement.
func planRows(p *plan.Plan, fn func(pm *plan.PendingMigration, sp *plan.StatementPlan, inner bool)) {
	for i := range p.Pending {
		pm := &p.Pending[i]
		for j := range pm.Statements {
			sp := &pm.Statements[j]
			show := sp.Kind == "ddl" || sp.Kind == "dml" || !sp.Analysed
			if show {
				fn(pm, sp, false)
			}
			for k := range sp.Inner {
				if sp.Inner[k].Kind == "ddl" || sp.Inner[k].Kind == "dml" {
					fn(pm, &sp.Inner[k], true)
				}
			}
		}
	}
}

func writePlanTable(w io.Writer, p *plan.Plan) {
	fmt.Fprintf(w, "Plan: %d pending of %d %s migrations in %s against %s %s (%s)\n",
		p.Summary.Pending, p.Migrations.Total, p.Migrations.Format, p.Migrations.Dir, p.Snapshot.Flavor, p.Snapshot.Version, p.Snapshot.Schema)
	if p.History != nil {
		fmt.Fprintf(w, "History: %s %s.%s, %d applied, newest %s\n", p.History.Runner, p.History.Schema, p.History.Table, p.History.Applied, p.History.Newest)
	}
	if p.Sandbox != nil {
		fmt.Fprintf(w, "Verified on: %s %s %s sandbox (%d statements replayed, %d failed, %.1fs)\n",
			p.Sandbox.Engine, p.Sandbox.Flavor, p.Sandbox.Version, p.Sandbox.Replayed, p.Sandbox.Failed, p.Sandbox.Seconds)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MIGRATION\tWHERE\tOPERATION\tTABLE\tPREDICTED\tVERIFIED\tEST.")
	planRows(p, func(pm *plan.PendingMigration, sp *plan.StatementPlan, inner bool) {
		pred, ver := algoText(sp)
		where := fmt.Sprintf("%s:%d", filepath.Base(sp.File), sp.Line)
		if inner {
			where = "  " + sp.Via
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", pm.Key, where, trunc(opsText(sp), 48), tableText(sp), pred, ver, estText(sp))
	})
	tw.Flush()
	fmt.Fprintln(w)
	for _, f := range p.Findings {
		loc := ""
		if f.File != "" {
			loc = fmt.Sprintf(" %s:%d", f.File, f.Line)
		}
		fmt.Fprintf(w, "%-7s %s%s: %s\n", strings.ToUpper(string(f.Severity)), f.Code, loc, f.Message)
		if f.Recommendation != "" {
			fmt.Fprintf(w, "        → %s\n", f.Recommendation)
		}
	}
	s := p.Summary
	fmt.Fprintf(w, "\n%d statements (%d not analysed), %d rebuild, %d block writes, %d verified (%d disagree), est. %.1fs; %d errors, %d warnings\n",
		s.Statements, s.NotAnalysed, s.Rebuilds, s.Blocking, s.Verified, s.Disagreements, s.EstimatedSeconds, s.Errors, s.Warnings)
}

func writePlanMarkdown(w io.Writer, p *plan.Plan) {
	fmt.Fprintf(w, "## Migration plan: %d pending (%s, %s %s)\n\n", p.Summary.Pending, p.Migrations.Format, p.Snapshot.Flavor, p.Snapshot.Version)
	fmt.Fprintln(w, "| migration | where | operation | table | predicted | verified | est. |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	planRows(p, func(pm *plan.PendingMigration, sp *plan.StatementPlan, inner bool) {
		pred, ver := algoText(sp)
		where := fmt.Sprintf("`%s:%d`", filepath.Base(sp.File), sp.Line)
		if inner {
			where += " (" + sp.Via + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", pm.Key, where, mdEscape(opsText(sp)), mdEscape(tableText(sp)), pred, ver, estText(sp))
	})
	if len(p.Findings) > 0 {
		fmt.Fprintln(w, "\n### Findings")
		for _, f := range p.Findings {
			fmt.Fprintf(w, "- **%s** [%s](%s) `%s:%d`: %s\n", f.Severity, f.Code, f.Docs, f.File, f.Line, mdEscape(f.Message))
		}
	}
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func humanInt(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
