package verdicts

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
)

// Rehearsal settings of the corpus: production's own row counts (scale 1:
// the setups are production at a small, realistic size), short windows.
// The gates are the defaults: none is given.
var runArgs = []string{"--scale", "1", "--baseline", "1s", "--app-compat-window", "1s"}

// engineArgs say where plan and run rehearse: by default the dsn engine,
// a scratch database per case on one rehearsal server per flavor (started
// once: a server start and stop per plan and per run would double the
// corpus's time); REHEARSE_VERDICTS_ENGINE=local gives every plan and run
// its own sandbox instead.
func engineArgs(rehearsal *production) []string {
	if os.Getenv("REHEARSE_VERDICTS_ENGINE") == "local" || rehearsal == nil {
		return []string{"--engine", "local"}
	}
	return []string{"--engine", "dsn", "--dsn", rehearsal.srv.DSNFor("")}
}

// parallel is how many cases run at once (REHEARSE_VERDICTS_PARALLEL).
func parallel() int {
	if n, err := strconv.Atoi(os.Getenv("REHEARSE_VERDICTS_PARALLEL")); err == nil && n > 0 {
		return n
	}
	return 2
}

// TestVerdicts rehearses every case of testdata/cases with `rehearse plan`
// and `rehearse run` (default gates) on MariaDB 10.11 and MySQL 9.7, and
// compares each statement, each rollback and the verdict with the truth
// established by hand (README.md). It prints a table and, per flavor, the
// false passes and false fails. It fails on a mismatch known-defects.yaml
// does not list, and on a listed one that no longer reproduces.
// Which cases: make test (the default run too) runs the representative subset,
// the cases marked short: true (a few tens of seconds); REHEARSE_VERDICTS=all
// (make bench: scripts/bench.d/verdicts.sh) every case; REHEARSE_VERDICTS=name,name
// only those. Known defects are checked for the cases judged.
func TestVerdicts(t *testing.T) {
	cases, err := LoadAll("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Case{}
	for _, c := range cases {
		byName[c.Name] = c
		if err := c.Complete(); err != nil {
			t.Error(err)
		}
	}
	knownList, err := loadKnown("testdata/known-defects.yaml", byName)
	if err != nil {
		t.Fatal(err)
	}
	switch only := os.Getenv("REHEARSE_VERDICTS"); only {
	case "all":
	case "":
		var sel []*Case
		for _, c := range cases {
			if c.Short {
				sel = append(sel, c)
			}
		}
		if len(sel) == 0 {
			t.Fatal("no case is marked short: true (the subset make test runs)")
		}
		t.Logf("the short subset: %d of %d cases (REHEARSE_VERDICTS=all runs every one)", len(sel), len(cases))
		cases = sel
	default:
		var sel []*Case
		for _, n := range strings.Split(only, ",") {
			if c := byName[strings.TrimSpace(n)]; c != nil {
				sel = append(sel, c)
			} else {
				t.Fatalf("REHEARSE_VERDICTS: no case %q", n)
			}
		}
		cases = sel
	}
	corpus, err := testcorpus.Root()
	if err != nil {
		t.Fatal(err)
	}
	paths := Paths{Repo: "..", Corpus: corpus}
	for _, c := range cases {
		if c.Corpus != nil {
			testcorpus.Dir(t, c.Corpus.Dir)
		}
	}
	bin := rehearseBin(t)
	sem := make(chan struct{}, parallel())
	var mu sync.Mutex
	var all []*judgement
	start := time.Now()
	t.Run("cases", func(t *testing.T) {
		for _, flavor := range Flavors {
			t.Run(flavor, func(t *testing.T) {
				t.Parallel()
				prod := &production{srv: testserver.Start(t, targets[flavor]())}
				var target *production
				if os.Getenv("REHEARSE_VERDICTS_ENGINE") != "local" {
					target = &production{srv: testserver.Start(t, targets[flavor]())}
				}
				for _, c := range cases {
					if !c.Runs(flavor) {
						continue
					}
					t.Run(c.Name, func(t *testing.T) {
						t.Parallel()
						sem <- struct{}{}
						defer func() { <-sem }()
						j := rehearseCase(t, bin, prod, target, paths, c, flavor)
						mu.Lock()
						all = append(all, j)
						mu.Unlock()
						if j.Err != nil {
							t.Error(j.Err)
							return
						}
						for _, m := range j.Mismatches {
							if k := known(knownList, c.Name, flavor, m); k != nil {
								t.Logf("known defect (item %s, %s): %s", k.Item, k.Engineer, m)
								continue
							}
							t.Errorf("%s on %s: %s — not in known-defects.yaml", c.Name, flavor, m)
						}
					})
				}
			})
		}
	})
	sort.Slice(all, func(i, j int) bool {
		if all[i].Case.Name != all[j].Case.Name {
			return all[i].Case.Name < all[j].Case.Name
		}
		return all[i].Flavor < all[j].Flavor
	})
	t.Log("\n" + table(all))
	t.Log("\n" + totals(all, time.Since(start)))
	for _, s := range stale(knownList, all) { // entries of cases judged here
		t.Error(s)
	}
}

// rehearseCase makes the case's production on flavor, snapshots it, runs
// plan and run, and judges.
func rehearseCase(t *testing.T, bin string, prod, target *production, paths Paths, c *Case, flavor string) *judgement {
	j := &judgement{Case: c, Flavor: flavor, Truth: c.Verdict(flavor)}
	start := time.Now()
	defer func() { j.Seconds = time.Since(start).Seconds() }()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	rel, err := c.Release(paths, tmp)
	if err != nil {
		j.Err = err
		return j
	}
	snap := filepath.Join(tmp, "production.json")
	if err := prod.capture(ctx, c, rel, snap); err != nil {
		j.Err = fmt.Errorf("production of %s: %w", c.Name, err)
		return j
	}
	tCapture := time.Now()
	planFile := filepath.Join(tmp, "plan.json")
	if c.Engine == "local" {
		target = nil // a sandbox of its own (engineArgs)
	}
	planArgs := append([]string{"plan", "--snapshot", snap, "--migrations", rel.Migrations, "--format", "json", "-o", planFile}, engineArgs(target)...)
	if c.FirstAdoption {
		planArgs = append(planArgs, "--first-adoption")
	}
	if c.Pattern != "" {
		planArgs = append(planArgs, "--migrations-pattern", c.Pattern)
	}
	planExit, planErr, err := command(ctx, bin, planArgs...)
	if err != nil {
		j.Err = err
		return j
	}
	tPlan := time.Now()
	var p *plan.Plan
	if planExit != 2 {
		p = &plan.Plan{}
		if err := readJSON(planFile, p); err != nil {
			j.Err = fmt.Errorf("plan: %w (%s)", err, planErr)
			return j
		}
	} else {
		t.Logf("plan could not run (exit 2): %s", lastLines(planErr, 5))
	}
	repFile := filepath.Join(tmp, "report.json")
	args := append(append([]string{"run", "--snapshot", snap, "--migrations", rel.Migrations, "--format", "json", "-o", repFile}, runArgs...), engineArgs(target)...)
	if prof := appProfile(c); prof != "" {
		f := filepath.Join(tmp, "load.yaml")
		if err := os.WriteFile(f, []byte(prof), 0o644); err != nil {
			j.Err = err
			return j
		}
		args = append(args, "--load-profile", f)
	}
	for _, in := range c.Inject {
		args = append(args, "--inject", in)
	}
	if c.FirstAdoption {
		args = append(args, "--first-adoption")
	}
	if c.Pattern != "" {
		args = append(args, "--migrations-pattern", c.Pattern)
	}
	runExit, runErr, err := command(ctx, bin, args...)
	if err != nil {
		j.Err = err
		return j
	}
	tRun := time.Now()
	var rep *result.Report
	if _, statErr := os.Stat(repFile); statErr == nil {
		rep = &result.Report{}
		if err := readJSON(repFile, rep); err != nil {
			j.Err = fmt.Errorf("run: %w", err)
			return j
		}
	}
	if runExit == 2 {
		t.Logf("run could not run (exit 2): %s", lastLines(runErr, 5))
	}
	j.RunExit, j.PlanExit = runExit, planExit
	j.Run = "error"
	if rep != nil && runExit != 2 {
		j.Run = rep.Verdict
	}
	j.Mismatches = judge(c, flavor, rep, runExit, p, planExit)
	var phases []string
	if rep != nil {
		for _, ph := range rep.Phases {
			phases = append(phases, fmt.Sprintf("%s %.1f", ph.Name, ph.Duration))
		}
	}
	t.Logf("times: production %.1f s, plan %.1f s, run %.1f s (%s)", tCapture.Sub(start).Seconds(), tPlan.Sub(tCapture).Seconds(), tRun.Sub(tPlan).Seconds(), strings.Join(phases, ", "))
	if len(j.Mismatches) > 0 && rep != nil {
		t.Logf("run verdict %s: %s", rep.Verdict, rep.Reason)
	}
	return j
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, " | ")
}

// table is one line per case and flavor: the truth, the tool's verdicts,
// and what differs.
func table(js []*judgement) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-34s %-8s %-15s %-5s %-12s %-6s %s\n", "case", "flavor", "format", "truth", "run (exit)", "plan", "mismatches")
	for _, j := range js {
		var ms []string
		for _, m := range j.Mismatches {
			ms = append(ms, m.Check+" ["+m.Kind+"]")
		}
		if j.Err != nil {
			ms = []string{"NOT JUDGED: " + short(j.Err.Error(), 80)}
		}
		fmt.Fprintf(&b, "%-34s %-8s %-15s %-5s %-12s %-6s %s\n", j.Case.Name, j.Flavor, j.Case.Format, j.Truth,
			fmt.Sprintf("%s (%d)", j.Run, j.RunExit), fmt.Sprintf("exit %d", j.PlanExit), strings.Join(ms, "; "))
	}
	return b.String()
}

// totals counts, per flavor, the false passes and false fails (releases and
// statements, run and plan) and the other mismatches, in lines the bench
// script quotes ("verdicts: FLAVOR ...").
func totals(js []*judgement, took time.Duration) string {
	var b strings.Builder
	for _, f := range Flavors {
		n := map[string]int{}
		cases, stmts := 0, 0
		for _, j := range js {
			if j.Flavor != f || j.Err != nil {
				continue
			}
			cases++
			stmts += len(j.Case.Expect.Statements)
			for _, m := range j.Mismatches {
				n[m.Level+" "+m.Kind]++
				n[m.Kind]++
			}
		}
		fmt.Fprintf(&b, "verdicts: %s: %d releases, %d statements: false passes %d (releases %d, statements %d), false fails %d (releases %d, statements %d); plan: false passes %d, false fails %d; mismatches: algorithm %d, blocking %d, rollback %d, app-compat %d, other %d\n",
			f, cases, stmts,
			n[FalsePass], n["release "+FalsePass], n["statement "+FalsePass],
			n[FalseFail], n["release "+FalseFail], n["statement "+FalseFail],
			n[PlanFalsePass], n[PlanFalseFail],
			n[Algorithm], n[Blocking], n[Rollback], n[AppCompat], n[Other])
	}
	notJudged := 0
	for _, j := range js {
		if j.Err != nil {
			notJudged++
		}
	}
	fmt.Fprintf(&b, "verdicts: %d judgements (%d not judged) in %s\n", len(js), notJudged, took.Round(time.Second))
	return b.String()
}
