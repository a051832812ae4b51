package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/result"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/scenarios"
	"github.com/rehearse/rehearse/snapshot"
)

func init() { subcommands = append(subcommands, newScenariosCmd) }

func newScenariosCmd(io *ioStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "The incident library: classic migration disasters as runnable rehearsals",
		Long: `The incident library ships the classic MySQL/MariaDB migration disasters as
runnable, self-checking rehearsals: each scenario holds production's snapshot, the
migrations (an unsafe variant and a fixed one), the load, the injected faults and the
expectations the report must meet.`,
		Example: `  rehearse scenarios list
  rehearse scenarios show mdl-pileup
  rehearse scenarios run unique-index-rerun
  rehearse scenarios run mdl-pileup --fixed --scale 0.002
  rehearse scenarios export half-applied-migration ./repro`,
	}
	cmd.AddCommand(newScenariosListCmd(io), newScenariosShowCmd(io), newScenariosExportCmd(io), newScenariosRunCmd(io))
	return cmd
}

// ---- list

type scenariosListOptions struct {
	io   *ioStreams
	JSON bool
}

func newScenariosListCmd(io *ioStreams) *cobra.Command {
	opts := &scenariosListOptions{io: io}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the scenarios: name, story, default scale, expected outcome",
		Example: "  rehearse scenarios list\n  rehearse scenarios list --json | jq -r '.[].name'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return scenariosListRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the list as JSON")
	return cmd
}

// scenarioJSON is the --json shape of one scenario.
type scenarioJSON struct {
	Name         string        `json:"name"`
	Order        int           `json:"order"`
	Title        string        `json:"title"`
	Story        string        `json:"story"`
	DefaultScale float64       `json:"default_scale"`
	CIScale      float64       `json:"ci_scale"`
	Flagship     bool          `json:"flagship,omitempty"`
	Sources      []string      `json:"sources"`
	Variants     []variantJSON `json:"variants"`
}

type variantJSON struct {
	Name    string `json:"name"`
	Summary string `json:"summary"`
	Outcome string `json:"expected_outcome"`
}

func toScenarioJSON(s *scenarios.Scenario) scenarioJSON {
	j := scenarioJSON{Name: s.Name, Order: s.Order, Title: s.Title, Story: s.Story, DefaultScale: s.DefaultScale,
		CIScale: s.CIScale, Flagship: s.Flagship, Sources: s.Sources}
	for _, v := range s.Variants {
		j.Variants = append(j.Variants, variantJSON{Name: v.Name, Summary: v.Summary, Outcome: v.Outcome})
	}
	return j
}

func scenariosListRun(opts *scenariosListOptions) error {
	out := opts.io.Out
	if opts.JSON {
		var list []scenarioJSON
		for _, s := range scenarios.All() {
			list = append(list, toScenarioJSON(s))
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	for i, s := range scenarios.All() {
		if i > 0 {
			fmt.Fprintln(out)
		}
		flag := ""
		if s.Flagship {
			flag = "  (flagship: make demo)"
		}
		fmt.Fprintf(out, "%d  %s   default scale %s%s\n", s.Order, s.Name, fmtScale(s.DefaultScale), flag)
		writeWrapped(out, "   ", s.Story)
		for _, v := range s.Variants {
			fmt.Fprintf(out, "   %-8s %s\n", v.Name, v.Outcome)
		}
	}
	return nil
}

// ---- show

type scenariosShowOptions struct {
	io      *ioStreams
	Name    string
	Variant string
	Fixed   bool
}

func newScenariosShowCmd(io *ioStreams) *cobra.Command {
	opts := &scenariosShowOptions{io: io}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a scenario: story, schema, migrations, injected faults, what to look for",
		Example: `  rehearse scenarios show unique-index-rerun
  rehearse scenarios show mdl-pileup --fixed
  rehearse scenarios show cherry-picked-migration --variant staging`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return scenariosShowRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Fixed, "fixed", false, "show the fixed variant (same as --variant fixed)")
	cmd.Flags().StringVar(&opts.Variant, "variant", "", "variant to show: unsafe (default), fixed, or another the scenario names")
	return cmd
}

func variantFlag(variant string, fixed bool) (string, error) {
	if fixed && variant != "" && variant != scenarios.Fixed {
		return "", usageError{fmt.Errorf("--fixed and --variant %s contradict each other", variant)}
	}
	if fixed {
		return scenarios.Fixed, nil
	}
	return variant, nil
}

func scenariosShowRun(opts *scenariosShowOptions) error {
	s, err := scenarios.Get(opts.Name)
	if err != nil {
		return err
	}
	vname, err := variantFlag(opts.Variant, opts.Fixed)
	if err != nil {
		return err
	}
	v, err := s.Variant(vname)
	if err != nil {
		return err
	}
	cfg, err := s.Config(v.Name)
	if err != nil {
		return err
	}
	out := opts.io.Out
	fmt.Fprintf(out, "%s: %s\n\n", s.Name, s.Title)
	writeWrapped(out, "", "Story: "+s.Story+".")
	fmt.Fprintln(out)
	writeWrapped(out, "", "The incident: "+s.Incident)
	for _, src := range s.Sources {
		fmt.Fprintf(out, "  %s\n", src)
	}
	fmt.Fprintf(out, "\nVariants (default scale %s of production's rows):\n", fmtScale(s.DefaultScale))
	for _, x := range s.Variants {
		mark := " "
		if x.Name == v.Name {
			mark = "*"
		}
		fmt.Fprintf(out, " %s %-8s %s\n", mark, x.Name, x.Summary)
		fmt.Fprintf(out, "   %-8s expected: %s\n", "", x.Outcome)
	}

	snapData, err := s.ReadFile(cfg.Snapshot)
	if err != nil {
		return err
	}
	snap, err := snapshot.Load(bytes.NewReader(snapData), path.Join(s.Name, cfg.Snapshot))
	if err != nil {
		return err
	}
	applied := historyVersion(snap)
	fmt.Fprintf(out, "\nSchema (%s: %s %s, migration history at %s):\n", cfg.Snapshot, snap.Source.Flavor, snap.Source.Version, applied)
	for _, sc := range snap.Schemas {
		for _, t := range sc.Tables {
			if isHistoryTable(snap, sc.Name, t.Name) {
				continue
			}
			fmt.Fprintf(out, "\n  -- %s.%s: %s rows in production\n", sc.Name, t.Name, mysqlkit.Thousands(t.Stats.RowCount()))
			writeIndented(out, "  ", t.CreateSQL+";")
		}
	}

	files, err := s.MigrationFiles(v.Name)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nMigrations (%s/, golang-migrate):\n", cfg.Migrations)
	for _, f := range upsFirst(files) {
		pending := versionAfter(f, applied)
		if !pending {
			if strings.HasSuffix(f, ".up.sql") {
				fmt.Fprintf(out, "  %s  (applied in production)\n", f)
			}
			continue
		}
		body, err := s.ReadFile(path.Join(cfg.Migrations, f))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n  %s  (pending)\n", f)
		writeIndented(out, "    ", strings.TrimSpace(string(body)))
	}

	fmt.Fprintf(out, "\nRehearsal (%s): scale %s, load %s ops/s, baseline %s", v.Config, fmtScale(cfg.Scale), strconv.FormatFloat(cfg.Load.Rate, 'f', -1, 64), cfg.Load.Baseline)
	if cfg.LockWaitTimeout != "" {
		fmt.Fprintf(out, ", lock_wait_timeout %s", cfg.LockWaitTimeout)
	} else {
		fmt.Fprintf(out, ", lock_wait_timeout production's (%s s)", snap.Settings["lock_wait_timeout"])
	}
	fmt.Fprintln(out)
	if len(cfg.Inject) == 0 {
		fmt.Fprintln(out, "Injected faults: none")
	} else {
		fmt.Fprintf(out, "Injected faults: %s\n", strings.Join(cfg.Inject, ", "))
	}
	if len(cfg.Gates) > 0 {
		var gates []string
		for _, name := range sortedNames(cfg.Gates) {
			gates = append(gates, name+"="+cfg.Gates[name])
		}
		fmt.Fprintf(out, "Gates: %s\n", strings.Join(gates, ", "))
	}
	fmt.Fprintln(out, "\nWhat to look for in the report:")
	for _, l := range s.Look {
		writeWrapped(out, "  - ", l)
	}
	exp, err := s.Expectations(v.Name)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nExpectations (%s, checked by `rehearse scenarios run`):\n", v.Name)
	writeIndented(out, "  ", strings.TrimRight(exp.String(), "\n"))
	return nil
}

// upsFirst orders migration files by version, each up before its down.
func upsFirst(files []string) []string {
	out := append([]string(nil), files...)
	sort.SliceStable(out, func(i, j int) bool {
		vi, _, _ := strings.Cut(out[i], "_")
		vj, _, _ := strings.Cut(out[j], "_")
		if vi != vj {
			return migrations.VersionLess(vi, vj)
		}
		return strings.HasSuffix(out[i], ".up.sql") && !strings.HasSuffix(out[j], ".up.sql")
	})
	return out
}

// historyVersion is the newest version the snapshot's history holds.
func historyVersion(snap *snapshot.Snapshot) string {
	best := ""
	for _, h := range snap.History {
		for _, e := range h.Entries {
			if migrations.VersionLess(best, e.Version) {
				best = e.Version
			}
		}
	}
	return best
}

func isHistoryTable(snap *snapshot.Snapshot, schema, table string) bool {
	for _, h := range snap.History {
		if h.Schema == schema && h.Table == table {
			return true
		}
	}
	return false
}

// versionAfter tells whether a golang-migrate file's version is newer than
// the applied one (golang-migrate records only the newest version).
func versionAfter(file, applied string) bool {
	v, _, _ := strings.Cut(file, "_")
	return migrations.VersionLess(applied, v)
}

// ---- export

type scenariosExportOptions struct {
	io      *ioStreams
	Name    string
	Dir     string
	Variant string
	Fixed   bool
	Force   bool
	Flavor  string
}

func newScenariosExportCmd(io *ioStreams) *cobra.Command {
	opts := &scenariosExportOptions{io: io}
	cmd := &cobra.Command{
		Use:   "export NAME DIR",
		Short: "Write a scenario's snapshot, migrations and rehearse.yaml to start your own reproduction",
		Example: `  rehearse scenarios export mdl-pileup ./repro && cd repro && rehearse run --config rehearse.yaml
  rehearse scenarios export column-type-copy ./fixed --fixed`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name, opts.Dir = args[0], args[1]
			if err := checkOutDir("export folder", opts.Dir); err != nil {
				return err
			}
			return scenariosExportRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Fixed, "fixed", false, "export the fixed variant (same as --variant fixed)")
	cmd.Flags().StringVar(&opts.Variant, "variant", "", "variant to export: unsafe (default), fixed, or another the scenario names")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace a previous export in DIR: its files (listed in DIR/"+scenarios.ManifestName+") are overwritten or removed, the rest of DIR is left alone; refused when DIR holds anything else in the way")
	cmd.Flags().StringVar(&opts.Flavor, "flavor", "mariadb", "the server you will rehearse on: mariadb (snapshots captured from MariaDB 10.11) or mysql (from MySQL 9.7)")
	return cmd
}

func scenariosExportRun(opts *scenariosExportOptions) error {
	s, err := scenarios.Get(opts.Name)
	if err != nil {
		return err
	}
	vname, err := variantFlag(opts.Variant, opts.Fixed)
	if err != nil {
		return err
	}
	if opts.Flavor != "mariadb" && opts.Flavor != "mysql" {
		return usageError{fmt.Errorf("--flavor %q: use mariadb or mysql", opts.Flavor)}
	}
	res, err := scenarios.Export(s, scenarios.ExportOptions{Variant: vname, Dir: opts.Dir, Force: opts.Force, Flavor: opts.Flavor})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.io.ErrOut, "rehearse: wrote %d files of scenario %s to %s\n", len(res.Files), s.Name, res.Dir)
	if len(res.Removed) > 0 {
		fmt.Fprintf(opts.io.ErrOut, "rehearse: removed %d files of the previous export: %s\n", len(res.Removed), strings.Join(res.Removed, ", "))
	}
	for _, f := range res.Files {
		fmt.Fprintln(opts.io.Out, path.Join(res.Dir, f))
	}
	fmt.Fprintf(opts.io.ErrOut, "Next: cd %s && rehearse run --config rehearse.yaml\n", res.Dir)
	return nil
}

// ---- helpers

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func fmtScale(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// writeWrapped writes text wrapped at 100 columns, the first line after
// prefix and the others indented to match.
func writeWrapped(w io.Writer, prefix, text string) {
	const width = 100
	pad := strings.Repeat(" ", len([]rune(prefix)))
	line := prefix
	for _, word := range strings.Fields(text) {
		if len([]rune(line))+1+len([]rune(word)) > width && strings.TrimSpace(line) != strings.TrimSpace(prefix) {
			fmt.Fprintln(w, strings.TrimRight(line, " "))
			line = pad
		}
		if line != prefix && line != pad {
			line += " "
		}
		line += word
	}
	fmt.Fprintln(w, strings.TrimRight(line, " "))
}

func writeIndented(w io.Writer, indent, text string) {
	for _, l := range strings.Split(text, "\n") {
		fmt.Fprintln(w, strings.TrimRight(indent+l, " "))
	}
}

// ---- run

type scenariosRunOptions struct {
	io      *ioStreams
	engine  *engineFlags
	Name    string
	Variant string
	Fixed   bool
	Scale   float64
	CI      bool
	Format  string
	OutDir  string
	NoCheck bool
	Dir     string
	NoCache bool
}

func newScenariosRunCmd(io *ioStreams) *cobra.Command {
	opts := &scenariosRunOptions{io: io}
	cmd := &cobra.Command{
		Use:   "run NAME",
		Short: "Rehearse a scenario and check that the report shows what the scenario expects",
		Long: `Run a full rehearsal (rehearse run) with the scenario's snapshot, migrations, load,
injected faults and gates, render the report, then check the scenario's expectations
against it.

Exit code: 0 when the scenario reproduced as expected (an unsafe variant's verdict is
"fail" and that is expected), 1 when an expectation did not hold, 2 when the rehearsal
could not run. With --no-check the exit code is the rehearsal's own verdict.`,
		Example: `  rehearse scenarios run unique-index-rerun
  rehearse scenarios run mdl-pileup --fixed
  rehearse scenarios run column-type-copy --scale 0.01 --format table,md,html --out-dir out/
  rehearse scenarios run cherry-picked-migration --variant staging --engine local
  rehearse scenarios run --dir ./scenarios/incident-2026-12   # a folder saved by rehearse reproduce --save-scenario`,
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.Dir != "" && len(args) > 0 {
				return usageError{fmt.Errorf("--dir %s and the scenario name %q: give one of them", opts.Dir, args[0])}
			}
			if opts.Dir == "" && len(args) != 1 {
				return usageError{errors.New("name a scenario of the library (rehearse scenarios list), or a folder with --dir")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			if cmd.Flags().Changed("scale") {
				if err := checkScale("--scale", opts.Scale); err != nil {
					return err
				}
			}
			if opts.CI && opts.Scale > 0 {
				return usageError{errors.New("--ci and --scale contradict each other")}
			}
			return runScenarios(cmd.Context(), opts)
		},
	}
	opts.engine = addEngineFlags(cmd)
	fs := cmd.Flags()
	fs.BoolVar(&opts.Fixed, "fixed", false, "run the fixed variant (same as --variant fixed)")
	fs.StringVar(&opts.Variant, "variant", "", "variant to run: unsafe (default), fixed, or another the scenario names")
	fs.Float64Var(&opts.Scale, "scale", 0, "fraction of production's row counts to generate (default: the scenario's)")
	fs.BoolVar(&opts.CI, "ci", false, "use the scenario's small CI scale")
	fs.StringVar(&opts.Format, "format", "table", "report formats, comma-separated: table, md, junit, html, json")
	fs.StringVar(&opts.OutDir, "out-dir", "", "write every format in --format to this folder (report.json, report.md, junit.xml, report.html, ...)")
	fs.BoolVar(&opts.NoCheck, "no-check", false, "do not check the expectations; exit with the rehearsal's verdict")
	fs.StringVar(&opts.Dir, "dir", "", "run a scenario `FOLDER` (rehearse scenarios export, rehearse reproduce --save-scenario) instead of the library's: every variant its expect.yaml lists, or --variant")
	fs.BoolVar(&opts.NoCache, "no-cache", false, noCacheUsage)
	return cmd
}

func runScenarios(ctx context.Context, opts *scenariosRunOptions) error {
	if opts.Dir != "" {
		return scenariosRunDir(ctx, opts)
	}
	s, err := scenarios.Get(opts.Name)
	if err != nil {
		return err
	}
	vname, err := variantFlag(opts.Variant, opts.Fixed)
	if err != nil {
		return err
	}
	v, err := s.Variant(vname)
	if err != nil {
		return err
	}
	if _, err := checkFormats(opts.Format, opts.OutDir); err != nil {
		return err
	}
	eng, eopts, err := opts.engine.build(opts.io.ErrOut)
	if err != nil {
		return err
	}
	scale := opts.Scale
	if opts.CI {
		scale = s.CIScale
	}
	p, err := scenarios.Prepare(ctx, s, scenarios.PrepareOptions{
		Variant: v.Name, Scale: scale, Engine: eng, EngineOptions: eopts,
		Tool: "rehearse " + firstWord(buildVersion()), Log: opts.io.ErrOut,
	})
	if err != nil {
		return err
	}
	defer p.Close()
	if p.Options.DataCache, err = dataCache(opts.NoCache, opts.io.ErrOut); err != nil {
		return err
	}
	p.Options.Progress = func(phase, detail string) {
		if phase != "migrate" && phase != "rollback" || detail == "" {
			fmt.Fprintf(opts.io.ErrOut, "rehearse: %s %s\n", phase, detail)
		}
	}
	fmt.Fprintf(opts.io.ErrOut, "rehearse: scenario %s (%s) at scale %s: %s\n", s.Name, v.Name, fmtScale(p.Options.Scale), v.Summary)
	rep, err := rehearsal.Run(ctx, p.Options)
	if rep != nil {
		if werr := writeFormats(opts.io, rep, opts.Format, opts.OutDir); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return err
	}
	if opts.NoCheck {
		if rep.Verdict != result.Pass {
			return &rehearse.VerdictError{Reason: "rehearsal failed: " + rep.Reason}
		}
		return nil
	}
	return reportExpectations(opts.io.ErrOut, s, v, p.Expect, rep)
}

// reportExpectations prints the check of the scenario's expectations and
// turns a failed one into a verdict error (exit code 1).
func reportExpectations(w io.Writer, s *scenarios.Scenario, v *scenarios.Variant, exp *scenarios.Expectations, rep *result.Report) error {
	failures := scenarios.Check(rep, exp)
	n := len(exp.Assertions)
	if exp.Verdict != "" {
		n++
	}
	if len(failures) == 0 {
		fmt.Fprintf(w, "rehearse: scenario %s (%s) reproduced: verdict %s, %d expectations hold (expected: %s)\n",
			s.Name, v.Name, rep.Verdict, n, v.Outcome)
		return nil
	}
	fmt.Fprintf(w, "rehearse: scenario %s (%s): %d of %d expectations do not hold:\n", s.Name, v.Name, len(failures), n)
	for _, f := range failures {
		fmt.Fprintf(w, "  %s\n", f)
	}
	return &rehearse.VerdictError{Reason: fmt.Sprintf("scenario %s (%s) did not reproduce as expected (%d failed expectations)", s.Name, v.Name, len(failures))}
}

// scenariosRunDir runs a scenario folder's variants (all, or --variant)
// and checks each one's expectations, as a library scenario's.
func scenariosRunDir(ctx context.Context, opts *scenariosRunOptions) error {
	if opts.CI {
		return usageError{errors.New("--ci uses a library scenario's CI scale; a folder's scale is its rehearse.yaml's (or --scale)")}
	}
	if _, err := checkFormats(opts.Format, opts.OutDir); err != nil {
		return err
	}
	variants, err := scenarios.DirVariants(opts.Dir)
	if err != nil {
		return err
	}
	vname, err := variantFlag(opts.Variant, opts.Fixed)
	if err != nil {
		return err
	}
	if vname != "" {
		variants = []string{vname}
	}
	eng, eopts, err := opts.engine.build(opts.io.ErrOut)
	if err != nil {
		return err
	}
	var failed []string
	for _, v := range variants {
		p, err := scenarios.PrepareDir(ctx, opts.Dir, v, scenarios.PrepareOptions{
			Scale: opts.Scale, Engine: eng, EngineOptions: eopts,
			Tool: "rehearse " + firstWord(buildVersion()), Log: opts.io.ErrOut,
		})
		if err != nil {
			return err
		}
		if p.Options.DataCache, err = dataCache(opts.NoCache, opts.io.ErrOut); err != nil {
			return err
		}
		p.Options.Progress = func(phase, detail string) {
			if phase != "migrate" && phase != "rollback" || detail == "" {
				fmt.Fprintf(opts.io.ErrOut, "rehearse: %s %s\n", phase, detail)
			}
		}
		fmt.Fprintf(opts.io.ErrOut, "rehearse: scenario %s (%s) from %s\n", p.Scenario.Name, v, opts.Dir)
		rep, err := rehearsal.Run(ctx, p.Options)
		outDir := opts.OutDir
		if outDir != "" && len(variants) > 1 {
			outDir = path.Join(outDir, v)
		}
		if rep != nil {
			if werr := writeFormats(opts.io, rep, opts.Format, outDir); werr != nil && err == nil {
				err = werr
			}
		}
		if err != nil {
			return err
		}
		if opts.NoCheck {
			if rep.Verdict != result.Pass {
				failed = append(failed, v+": rehearsal "+rep.Verdict)
			}
			continue
		}
		if err := reportExpectations(opts.io.ErrOut, p.Scenario, p.Variant, p.Expect, rep); err != nil {
			failed = append(failed, v)
		}
	}
	if len(failed) > 0 {
		return &rehearse.VerdictError{Reason: fmt.Sprintf("scenario folder %s: %s", opts.Dir, strings.Join(failed, "; "))}
	}
	return nil
}
