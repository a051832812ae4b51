package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/result"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/scenarios"
)

// rehearse scenarios run (a library scenario, or a folder with --dir)

type scenariosRunOptions struct {
	io     *ioStreams
	engine *engineFlags
	Name   string
	variantFlags
	outputFlags
	Scale   float64
	CI      bool
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
	addVariantFlags(fs, &opts.variantFlags)
	fs.Float64Var(&opts.Scale, "scale", 0, "fraction of production's row counts to generate (default: the scenario's)")
	fs.BoolVar(&opts.CI, "ci", false, "use the scenario's small CI scale")
	addOutputFlags(fs, &opts.outputFlags, &result.Report{}, "")
	fs.BoolVar(&opts.NoCheck, "no-check", false, "do not check the expectations; exit with the rehearsal's verdict")
	fs.StringVar(&opts.Dir, "dir", "", "run a scenario `FOLDER` (rehearse scenarios export, rehearse reproduce --save-scenario) instead of the library's: every variant its expect.yaml lists, or --variant")
	fs.BoolVar(&opts.NoCache, "no-cache", false, noCacheUsage)
	return cmd
}

func runScenarios(ctx context.Context, opts *scenariosRunOptions) error {
	if opts.Dir != "" {
		return scenariosRunDir(ctx, opts)
	}
	s, v, err := lookupScenario(opts.Name, opts.variantFlags)
	if err != nil {
		return err
	}
	if _, err := checkFormats(opts.Formats, opts.OutDir); err != nil {
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
		Tool: toolName(), Log: opts.io.ErrOut,
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
		if werr := writeFormats(opts.io, rep, opts.Formats, opts.OutDir); werr != nil && err == nil {
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
	if _, err := checkFormats(opts.Formats, opts.OutDir); err != nil {
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
			Tool: toolName(), Log: opts.io.ErrOut,
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
			if werr := writeFormats(opts.io, rep, opts.Formats, outDir); werr != nil && err == nil {
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
