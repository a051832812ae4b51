package scenarios

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/redact"
	"github.com/rehearse/rehearse/rehearse/reproduce"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/snapshot"
)

// SaveOptions say where SaveReproduction writes.
type SaveOptions struct {
	Name string // the scenario's name
	Dir  string // created when missing; must not hold the files already
}

var scenarioName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// CheckSaveTarget checks a --save-scenario NAME DIR before anything runs.
func CheckSaveTarget(name, dir string) error {
	if !scenarioName.MatchString(name) {
		return rehearse.WithHint(fmt.Errorf("--save-scenario %q: not a scenario name", name), "use lower-case letters, digits, '.', '_' and '-', e.g. incident-2026-12-07")
	}
	if dir == "" {
		return fmt.Errorf("--save-scenario %s: no folder given", name)
	}
	if _, _, err := replaceable(name, dir, map[string][]byte{"rehearse.yaml": nil, "expect.yaml": nil, "snapshot.json": nil}, false); err != nil {
		return err
	}
	return nil
}

// IncidentVariant is the saved scenario's first variant: the incident as
// reproduced. Each fix is a variant "fix-NAME".
const IncidentVariant = "incident"

// SaveReproduction writes a reproduction as a scenario folder in the format
// Export writes — snapshot.json, migrations/, rehearse.yaml, expect.yaml,
// README.md and the manifest — with one rehearse.<variant>.yaml per fix.
// The expectations are what the rehearsals measured, within the
// reproduction's tolerance: the incident's pile-up (so a later release that
// still piles up behind such a blocker fails), and each fix's outcome.
// `rehearse scenarios run --dir DIR` runs every variant and checks them.
func SaveReproduction(s *reproduce.Setup, rep *result.Reproduction, o SaveOptions) (*result.SavedScenario, error) {
	if err := CheckSaveTarget(o.Name, o.Dir); err != nil {
		return nil, err
	}
	ro := s.RunOptions()
	plan := map[string][]byte{}
	var sb bytes.Buffer
	if err := snapshot.Write(&sb, ro.Snapshot); err != nil {
		return nil, err
	}
	plan["snapshot.json"] = sb.Bytes()
	if err := addFolder(plan, ro.MigrationsDir, "migrations"); err != nil {
		return nil, err
	}
	saved := &result.SavedScenario{Name: o.Name, Dir: o.Dir, Variants: []string{IncidentVariant}}
	var expect strings.Builder
	fmt.Fprintf(&expect, "# What the reproduction %s measured, within its tolerance (%s).\n", o.Name, rep.Tolerance)
	inc := rep.Runs[0]
	plan["rehearse.yaml"] = config(o.Name, IncidentVariant, ro, s.MigrationsPattern(), "migrations", inc.Changes)
	expect.WriteString(expectBlock(IncidentVariant, inc, rep, true))
	for _, f := range s.Fixes() {
		var fr result.ReproRun
		for _, r := range rep.Runs {
			if r.Fix == f.Spec {
				fr = r
			}
		}
		if fr.Report == nil {
			continue // the fix could not be rehearsed (the reproduction's errors say why)
		}
		if f.Name == "strategy" {
			// rehearse.yaml's strategy: applies to the heavy statements
			// only; the fix also put the incident's migration through the
			// strategy (--strategy-for), which a scenario cannot say, so a
			// saved variant would rehearse something else.
			rep.Notes = append(rep.Notes, fmt.Sprintf("fix %s is not saved as a scenario variant: rehearse.yaml's strategy: applies to the heavy statements only, and the fix also applied the incident's migration with it, statement by statement", f.Spec))
			continue
		}
		v := "fix-" + strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(f.Spec), "-"), "-")
		fo := ro
		fo.Injections = append([]run.Injection(nil), ro.Injections...)
		migs := "migrations"
		if fr.Report != nil {
			fo.LockWaitTimeout = secsDur(fr.Report.Inputs.Lockwait)
			if fr.Report.Inputs.Migrations != ro.MigrationsDir {
				migs = "migrations-" + v
				if err := addFolder(plan, fr.Report.Inputs.Migrations, migs); err != nil {
					return nil, err
				}
			}
			fo.Injections = nil
			for _, in := range fr.Report.Injections {
				if p, err := run.ParseInjection(in.Spec); err == nil {
					fo.Injections = append(fo.Injections, p)
				}
			}
		}
		plan["rehearse."+v+".yaml"] = config(o.Name, v, fo, s.MigrationsPattern(), migs, fr.Changes)
		expect.WriteString(expectBlock(v, fr, rep, false))
		saved.Variants = append(saved.Variants, v)
	}
	plan["expect.yaml"] = []byte(expect.String())
	plan["README.md"] = []byte(savedReadme(o, rep, saved))
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	written := map[string]string{}
	for _, rel := range sortedKeys(plan) {
		p := filepath.Join(o.Dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		perm := redact.Perm
		if rel == "snapshot.json" {
			perm = redact.SnapshotPerm
		}
		if err := redact.WriteFile(p, plan[rel], perm); err != nil {
			return nil, err
		}
		d, err := fileDigest(p)
		if err != nil {
			return nil, err
		}
		written[rel] = d
	}
	if err := writeManifest(o.Dir, &manifest{Format: manifestFormat, Scenario: o.Name, Variant: IncidentVariant, Files: written}); err != nil {
		return nil, err
	}
	return saved, nil
}

// addFolder adds every file of dir under prefix.
func addFolder(plan map[string][]byte, dir, prefix string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		plan[path.Join(prefix, filepath.ToSlash(rel))] = b
		return nil
	})
}

// config is a variant's rehearse.yaml.
func config(name, variant string, o run.Options, pattern, migs string, changes []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Scenario %s, variant %s: saved by `rehearse reproduce --save-scenario`.\n", name, variant)
	for _, c := range changes {
		fmt.Fprintf(&b, "# %s\n", c)
	}
	fmt.Fprintf(&b, "snapshot: snapshot.json\nmigrations: %s\n", migs)
	if o.Migrations != nil && o.Migrations.Format != "" {
		fmt.Fprintf(&b, "format: %s\n", o.Migrations.Format)
	}
	if pattern != "" {
		fmt.Fprintf(&b, "migrations_pattern: '%s'\n", strings.ReplaceAll(pattern, "'", "''"))
	}
	scale := o.Scale
	if scale <= 0 {
		scale = run.DefaultScale
	}
	fmt.Fprintf(&b, "scale: %g\nseed: %d\n", scale, o.Seed)
	rate := o.LoadRate
	if rate <= 0 {
		rate = run.DefaultLoadRate
	}
	baseline := o.Baseline
	if baseline <= 0 {
		baseline = run.DefaultBaseline
	}
	fmt.Fprintf(&b, "load:\n  rate: %g\n  baseline: %s\n", rate, baseline)
	if o.LockWaitTimeout > 0 {
		fmt.Fprintf(&b, "lock_wait_timeout: %s\n", o.LockWaitTimeout)
	}
	if o.Strategy.Name != "" {
		fmt.Fprintf(&b, "strategy: %s\n", o.Strategy.Name)
	}
	if len(o.Injections) > 0 {
		b.WriteString("inject:\n")
		for _, in := range o.Injections {
			fmt.Fprintf(&b, "  - %s\n", in.Spec)
		}
	}
	if len(o.Gates) > 0 {
		b.WriteString("gates:\n")
		for _, g := range o.Gates {
			fmt.Fprintf(&b, "  %s: %s\n", g.Name, g.Limit)
		}
	}
	return []byte(b.String())
}

// expectBlock is a variant's expectations: the verdict it got and its
// statement's figures, within the tolerance.
func expectBlock(variant string, r result.ReproRun, rep *result.Reproduction, incident bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", variant)
	if r.Report != nil {
		fmt.Fprintf(&b, "  verdict: %s\n", r.Report.Verdict)
	}
	f := r.Figures
	if !f.Found {
		return b.String()
	}
	b.WriteString("  assert:\n")
	tol := 0.10
	if incident && rep.Incident.DDL != nil {
		d := rep.Incident.DDL
		lo := d.WaitS * (1 - tol)
		fmt.Fprintf(&b, "    - statement %s lock_wait_s >= %.2f\n", f.Statement, lo)
		if !d.Open {
			fmt.Fprintf(&b, "    - statement %s lock_wait_s <= %.2f\n", f.Statement, d.WaitS*(1+tol)+0.5)
		}
		fmt.Fprintf(&b, "    - statement %s blocked_by contains long-txn\n", f.Statement)
		if rep.Incident.Writers.Writers > 0 {
			fmt.Fprintf(&b, "    - statement %s writers_blocked >= 1\n", f.Statement)
		}
		return b.String()
	}
	if f.ErrorCode != 0 {
		fmt.Fprintf(&b, "    - statement %s error_code == %d\n", f.Statement, f.ErrorCode)
	}
	fmt.Fprintf(&b, "    - statement %s lock_wait_s <= %.2f\n", f.Statement, f.LockWaitS*(1+tol)+0.5)
	fmt.Fprintf(&b, "    - statement %s longest_stall_s <= %.2f\n", f.Statement, f.LongestStallS*(1+tol)+0.5)
	return b.String()
}

func savedReadme(o SaveOptions, rep *result.Reproduction, s *result.SavedScenario) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nAn incident reproduced from its evidence by `rehearse reproduce` (%s).\n\n%s\n\n", o.Name, rep.Verdict, rep.Reason)
	b.WriteString("## Run it\n\n    rehearse scenarios run --dir .\n\n")
	b.WriteString("Variants (each `rehearse.<variant>.yaml`, the first `rehearse.yaml`; `expect.yaml` says what each must show):\n\n")
	for _, v := range s.Variants {
		fmt.Fprintf(&b, "- %s\n", v)
	}
	b.WriteString("\n## How it was made\n\n")
	for _, c := range rep.Commands {
		fmt.Fprintf(&b, "    %s\n", c)
	}
	return b.String()
}

func secsDur(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
