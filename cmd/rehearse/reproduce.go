package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/evidence"
	"github.com/rehearse/rehearse/rehearse/reproduce"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/scenarios"
)

func init() { subcommands = append(subcommands, newReproduceCmd) }

// reproduceOptions hold `rehearse reproduce`'s flags; the rehearsal's own
// (snapshot, migrations, scale, engine, gates, ...) are run's.
type reproduceOptions struct {
	run          runOptions
	Evidence     string
	Fixes        []string
	Tolerance    string
	DeployRegexp string
	Zone         string
	SaveScenario string
	SaveDir      string
}

func newReproduceCmd(io *ioStreams) *cobra.Command {
	return reproduceCmd(&reproduceOptions{run: runOptions{io: io}})
}

// reproduceCmd is `rehearse reproduce` writing its flags into o.
func reproduceCmd(o *reproduceOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reproduce --snapshot FILE --migrations DIR --evidence DIR [--save-scenario NAME DIR]",
		Short: "Reproduce an incident from its evidence (processlist, InnoDB status, digests, deploy log), and rehearse fixes",
		Long: `Read what was captured during an incident — processlist dumps (the client's table, \G or
batch output, pt-stalk's processlist, performance_schema.processlist/threads as CSV or
JSON), SHOW ENGINE INNODB STATUS (pt-stalk's innodbstatus1), a statement digest export
and the deploy's log (golang-migrate, goose, Flyway, Liquibase, or --deploy-log-pattern)
— and rehearse it: the session the DDL waited behind becomes a transaction holding the
same table, opened as long before the DDL and held as long after; the load follows the
digests at their observed rate; the migrations are those the deploy ran. Give
--lock-wait-timeout when production's lock_wait_timeout during the incident was not the
snapshot's.

The report puts the incident's timeline next to the rehearsal's and says whether the
rehearsal reproduced it: the DDL waited behind the same blocker, writers queued, and the
wait is within --tolerance of the evidence's (or the evidence's own resolution, when
larger). Every line of evidence that could not be read as it stands is listed.

--fix NAME=VALUE rehearses the same evidence with a remedy and compares side by side:
  lock-wait-timeout=5s        each migration statement gives up after 5 s
  split-migrations=DIR        another migrations folder (the release split up)
  strategy=NAME               the heavy statements, and every statement of the migration the
                              incident's DDL belongs to, applied with a strategy as rehearse run
                              --strategy does: native, pt-osc, online-copy, cmd (with --osc-cmd;
                              pt-osc takes --pt-osc-arg)

--save-scenario NAME DIR writes the reproduction as a scenario folder (the format of
rehearse scenarios export, with expectations; one variant per fix) that CI runs with
rehearse scenarios run --dir DIR.

Exit code: 0 reproduced, 1 not reproduced (the report says why), 2 could not run.`,
		Example: `  rehearse reproduce --snapshot prod.json --migrations ./migrations --evidence ./incident
  rehearse reproduce --snapshot prod.json --migrations ./migrations --evidence ./pt-stalk \
      --fix lock-wait-timeout=5s --fix split-migrations=./migrations-split --format md --out-dir out/
  rehearse reproduce --snapshot prod.json --migrations ./migrations --evidence ./incident \
      --save-scenario incident-2026-12 ./scenarios/incident-2026-12
  rehearse reproduce --snapshot prod.json --migrations ./migrations --evidence ./logs \
      --deploy-log-pattern '^(?P<time>\S+ \S+) deploy: (?P<event>applying|applied|failed) (?P<version>\d+)'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.SaveScenario != "" && len(args) != 1 {
				return usageError{errors.New("--save-scenario NAME takes the folder as the command's argument: --save-scenario NAME DIR")}
			}
			if o.SaveScenario == "" && len(args) > 0 {
				return usageError{fmt.Errorf("unexpected argument %q (a folder is only taken after --save-scenario NAME)", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.run.changed = cmd.Flags().Changed
			if len(args) == 1 {
				o.SaveDir = args[0]
			}
			return reproduceRun(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	r := &o.run
	addInputFlags(fs, &r.inputFlags, inputUsage{noFirstAdoption: true})
	addRehearsalFlags(fs, &r.rehearsalFlags, "scale", "seed", "load", "baseline", "lock-wait-timeout", "gate", "no-rollback", "no-cache")
	changeDefault(fs, "load", "0", "the load follows the digests", "the digests' observed rate, capped at 500")
	changeDefault(fs, "baseline", "3s", "the evidence's timeline starts at the deploy, not after a long baseline", "")
	addOutputFlags(fs, &r.outputFlags, &result.Reproduction{}, "reproduction ("+result.ReproductionFormatV1+")")
	fs.StringVar(&o.Evidence, "evidence", "", "the folder of evidence captured during the incident (docs/reproduce.md lists the forms)")
	fs.StringArrayVar(&o.Fixes, "fix", nil, "rehearse a remedy too, `NAME=VALUE`: lock-wait-timeout=5s, split-migrations=DIR, strategy=pt-osc (repeatable)")
	fs.StringVar(&o.Tolerance, "tolerance", "10%", "how close the rehearsal's wait must be to the incident's")
	fs.StringVar(&o.DeployRegexp, "deploy-log-pattern", "", "read deploy log lines of another tool: a regular expression with the named groups time and version (and optionally event, name, duration, error)")
	fs.StringVar(&o.Zone, "evidence-tz", "", "the time zone of evidence times without an offset, e.g. Europe/Paris (default: pt-stalk's, else UTC)")
	fs.StringVar(&o.SaveScenario, "save-scenario", "", "write the reproduction as a scenario `NAME` into the folder given as argument")
	r.addToolFlags(cmd)
	r.engine = addEngineFlags(cmd)
	return cmd
}

func reproduceRun(ctx context.Context, o *reproduceOptions) error {
	r := &o.run
	if _, err := checkFormatsFor(r.Formats, r.OutDir, &result.Reproduction{}); err != nil {
		return err
	}
	if o.Evidence == "" {
		return usageError{errors.New("--evidence is required: the folder of what was captured during the incident")}
	}
	tol, err := parseTolerance(o.Tolerance)
	if err != nil {
		return usageError{err}
	}
	eo := evidence.Options{}
	if o.DeployRegexp != "" {
		re, err := regexp.Compile(o.DeployRegexp)
		if err != nil {
			return usageError{rehearse.WithHint(fmt.Errorf("--deploy-log-pattern: %w", err), "a Go regular expression with (?P<time>...) and (?P<version>...)")}
		}
		if re.SubexpIndex("time") < 0 || re.SubexpIndex("version") < 0 {
			return usageError{fmt.Errorf("--deploy-log-pattern needs the named groups time and version: (?P<time>...) (?P<version>...)")}
		}
		eo.DeployPattern = re
	}
	if o.Zone != "" {
		z, err := time.LoadLocation(o.Zone)
		if err != nil {
			return usageError{fmt.Errorf("--evidence-tz %q: %w", o.Zone, err)}
		}
		eo.Zone = z
	}
	var fixes []reproduce.Fix
	var pending []string
	for _, spec := range o.Fixes {
		f, err := reproduce.ParseFix(spec)
		if errors.Is(err, reproduce.ErrPendingFix) {
			fmt.Fprintf(r.io.ErrOut, "rehearse: %v: listed as pending, not rehearsed\n", err)
			pending = append(pending, strings.TrimPrefix(err.Error(), reproduce.ErrPendingFix.Error()+": "))
			continue
		}
		if err != nil {
			return usageError{err}
		}
		fixes = append(fixes, f)
	}
	if o.SaveScenario != "" {
		if err := scenarios.CheckSaveTarget(o.SaveScenario, o.SaveDir); err != nil {
			return usageError{err}
		}
	}
	ev, err := evidence.Read(o.Evidence, eo)
	if err != nil {
		return rehearse.WithHint(err, "put the processlist dumps, InnoDB status, digest export and deploy log of the incident in one folder (docs/reproduce.md)")
	}
	for _, p := range ev.Problems {
		fmt.Fprintf(r.io.ErrOut, "evidence: %s\n", p)
	}
	ro, err := r.build()
	if err != nil {
		return err
	}
	if r.changed("load") {
		ro.LoadRate = 0 // the reproduction's own (reproduce.Options.LoadRate)
	}
	for _, f := range fixes {
		if f.Name == "strategy" {
			s := ro.Strategy
			s.Name = f.Value
			if err := s.Check(); err != nil {
				return usageError{fmt.Errorf("--fix %s: %w", f.Spec, err)}
			}
		}
	}
	setup, err := reproduce.Prepare(ctx, reproduce.Options{
		Run: ro, MigrationsFormat: r.MigFormat, MigrationsPattern: r.MigPattern, Evidence: ev, Fixes: fixes, Pending: pending,
		Tolerance: tol, LoadRate: r.Load, Commands: []string{reproduceCommand(o)},
	})
	if err != nil {
		return err
	}
	for _, p := range setup.Problems[len(ev.Problems):] {
		fmt.Fprintf(r.io.ErrOut, "evidence: %s\n", p)
	}
	rep, runErr := setup.Reproduce(ctx)
	if rep != nil && o.SaveScenario != "" && runErr == nil && rep.Verdict != reproduce.Reproduced {
		fmt.Fprintf(r.io.ErrOut, "rehearse: scenario %s not saved: the rehearsal did not reproduce the incident, so its expectations would not be the incident's\n", o.SaveScenario)
	}
	if rep != nil && o.SaveScenario != "" && runErr == nil && rep.Verdict == reproduce.Reproduced {
		saved, err := scenarios.SaveReproduction(setup, rep, scenarios.SaveOptions{Name: o.SaveScenario, Dir: o.SaveDir})
		if err != nil {
			runErr = err
		} else {
			rep.Scenario = saved
			rep.Commands = append(rep.Commands, "rehearse scenarios run --dir "+o.SaveDir)
			fmt.Fprintf(r.io.ErrOut, "rehearse: saved scenario %s to %s (variants %s)\n", saved.Name, saved.Dir, strings.Join(saved.Variants, ", "))
		}
	}
	if rep != nil {
		if err := r.outputFlags.write(r.io, rep); err != nil && runErr == nil {
			runErr = err
		}
	}
	if runErr != nil {
		return runErr
	}
	if rep.Verdict != reproduce.Reproduced {
		return &rehearse.VerdictError{Reason: "not reproduced: " + rep.Reason}
	}
	return nil
}

// parseTolerance reads "10%" or "0.1".
func parseTolerance(s string) (float64, error) {
	var v float64
	pct := strings.HasSuffix(s, "%")
	if _, err := fmt.Sscanf(strings.TrimSuffix(s, "%"), "%g", &v); err != nil || v <= 0 {
		return 0, fmt.Errorf("--tolerance %q: want a share like 10%% or 0.1", s)
	}
	if pct || v >= 1 {
		v /= 100
	}
	return v, nil
}

// reproduceCommand is the command line that re-runs this reproduction.
func reproduceCommand(o *reproduceOptions) string {
	args := []string{"rehearse reproduce"}
	for _, a := range os.Args[2:] {
		if strings.ContainsAny(a, " '\"${}*?[]()|&;<>\\!`") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		args = append(args, a)
	}
	if len(os.Args) < 2 || os.Args[1] != "reproduce" {
		args = []string{"rehearse reproduce --snapshot", o.run.Snapshot, "--migrations", o.run.Migrations, "--evidence", o.Evidence}
	}
	return strings.Join(args, " ")
}
