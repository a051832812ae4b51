package verdicts

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
)

// Kinds of mismatch, counted per flavor.
const (
	FalsePass     = "false pass" // the tool passes what the truth fails (or says blocks)
	FalseFail     = "false fail" // the tool fails what the truth passes
	PlanFalsePass = "plan false pass"
	PlanFalseFail = "plan false fail"
	Algorithm     = "algorithm"
	Blocking      = "blocking"
	Rollback      = "rollback"
	AppCompat     = "app-compat"
	Other         = "other" // a wrong error number, a statement not reached, a format misread, an error
)

// mismatch is one place where the tool and the truth differ.
type mismatch struct {
	Check string // the name known-defects.yaml refers to: "verdict", "run V#N outcome", ...
	Kind  string
	Level string // release | statement
	Want  string
	Got   string
}

func (m mismatch) String() string {
	return fmt.Sprintf("%s: want %s, got %s (%s)", m.Check, m.Want, m.Got, m.Kind)
}

// judgement is one case on one flavor.
type judgement struct {
	Case       *Case
	Flavor     string
	Truth      string // pass | fail
	Run        string // the report's verdict: pass | fail | error
	RunExit    int
	PlanExit   int
	Mismatches []mismatch
	Seconds    float64
	Err        error // the case could not be judged (setup, snapshot)
}

// judge compares a run report and a plan with the case's truth on flavor.
func judge(c *Case, flavor string, rep *result.Report, runExit int, p *plan.Plan, planExit int) []mismatch {
	var out []mismatch
	add := func(check, kind, level, want, got string) {
		out = append(out, mismatch{Check: check, Kind: kind, Level: level, Want: want, Got: got})
	}
	truth := c.Verdict(flavor)
	got := "error"
	if rep != nil && runExit != 2 {
		got = rep.Verdict
	}
	if got != truth {
		switch {
		case truth == "fail" && got == "pass":
			add("verdict", FalsePass, "release", truth, got)
		case truth == "pass":
			add("verdict", FalseFail, "release", truth, got+fmt.Sprintf(" (exit %d)", runExit))
		default:
			add("verdict", Other, "release", truth, got+fmt.Sprintf(" (exit %d)", runExit))
		}
	}
	if rep == nil || got == "error" {
		return out
	}
	if p != nil && p.Migrations.Format != c.Format {
		add("format", Other, "release", c.Format, p.Migrations.Format)
	}
	for _, e := range c.Expect.Statements {
		out = append(out, judgeStatement(c, flavor, e, rep, p)...)
	}
	for v, want := range c.Expect.Rollback {
		w := want.For(flavor)
		if w == "" {
			continue
		}
		g := ""
		if rep.Rollback != nil {
			for _, m := range rep.Rollback.Migrations {
				if sameVersion(m.Version, v) {
					g = m.Verdict
				}
			}
		}
		// A down the tool never reached (it stopped earlier, or a false
		// failure changed the way back) is a consequence counted above.
		if g != "" && g != w {
			add("rollback "+v, Rollback, "statement", w, g)
		}
	}
	// The previous app is checked when every migration applied; a tool
	// that stopped at a false failure did not check it (counted above).
	if w := c.Expect.AppCompat.For(flavor); w != "" && rep.AppCompat != nil {
		g := "compatible"
		if len(rep.AppCompat.Failures) > 0 {
			g = "breaks"
		}
		if g != w {
			add("app-compat", AppCompat, "release", w, g)
		}
	}
	return out
}

func sameVersion(a, b string) bool { return strings.TrimLeft(a, "0") == strings.TrimLeft(b, "0") }

// blockingGates are the default gates that fail a statement for blocking
// writers (rehearse/blocking's limits).
var blockingGates = map[string]bool{"max-writer-stall": true, "max-stall-share": true}

// toolStatement is what the tool says of one statement.
type toolStatement struct {
	ran       bool   // in the report and run
	outcome   string // applies | fails N | not run
	blocks    bool
	gateFail  bool // a gate scoped to it failed
	algorithm string
	sql       string
}

func runStatements(rep *result.Report, version string) []toolStatement {
	var out []toolStatement
	for _, m := range rep.Migrations {
		if !sameVersion(m.Version, version) {
			continue
		}
		for _, s := range m.Statements {
			ts := toolStatement{sql: s.SQL, algorithm: s.Algorithm}
			switch {
			case s.Status == "not_run":
				ts.outcome = "not run"
			case s.Status == "failed" || s.Error != "":
				ts.ran, ts.outcome = true, fmt.Sprintf("fails %d", s.ErrorCode)
			default:
				ts.ran, ts.outcome = true, "applies"
			}
			// The tool says a statement blocks writers when a default
			// gate of blocking scoped to it fails: the truth (verify) is
			// judged by the same thresholds (rehearse/blocking).
			scope := fmt.Sprintf("%s#%d", m.Version, s.Index)
			for _, g := range rep.Gates {
				if g.Scope == scope && !g.Passed {
					ts.gateFail = true
					ts.blocks = ts.blocks || blockingGates[g.Name]
				}
			}
			out = append(out, ts)
		}
	}
	return out
}

// planStatements is what the plan says of a migration's statements: its
// replay on the schema-only sandbox, and whether an error-severity finding
// points at the statement.
func planStatements(p *plan.Plan, version string) []toolStatement {
	if p == nil {
		return nil
	}
	var out []toolStatement
	for _, m := range p.Pending {
		if !sameVersion(m.Version, version) {
			continue
		}
		for _, s := range m.Statements {
			ts := toolStatement{ran: true, outcome: "applies", sql: s.SQL}
			if r := s.Replay; r != nil && !r.OK {
				if r.Class == "skipped" {
					ts.ran, ts.outcome = false, "not run"
				} else {
					ts.outcome = fmt.Sprintf("fails %d", r.Error)
				}
			}
			for _, f := range p.Findings {
				for _, pl := range f.Places() { // a finding of several statements lists them all
					if f.Severity == plan.SevError && pl.Line == s.Line && filepath.Base(pl.File) == filepath.Base(s.File) && ts.outcome == "applies" {
						ts.outcome = "fails (" + f.Code + ")"
					}
				}
			}
			if s.Verified != nil {
				ts.algorithm = s.Verified.Algorithm
			}
			out = append(out, ts)
		}
	}
	return out
}

func judgeStatement(c *Case, flavor string, e Statement, rep *result.Report, p *plan.Plan) []mismatch {
	var out []mismatch
	add := func(check, kind, want, got string) {
		out = append(out, mismatch{Check: check, Kind: kind, Level: "statement", Want: want, Got: got})
	}
	version, n := e.Key()
	want, _ := ParseOutcome(e.Outcome.For(flavor))
	wantBlocks := e.Blocks.For(flavor) == "true"
	wantFail := want.Fails || wantBlocks
	for _, tool := range []string{"run", "plan"} {
		var list []toolStatement
		if tool == "run" {
			list = runStatements(rep, version)
		} else {
			list = planStatements(p, version)
		}
		pick := list
		if n > 0 {
			pick = nil
			if n <= len(list) {
				pick = list[n-1 : n]
			}
		}
		name := tool + " " + e.At
		if len(pick) == 0 {
			add(name+" outcome", Other, want.String(), "not in the "+tool)
			continue
		}
		// A whole migration (VERSION alone): it applies when every
		// statement does; it fails with N when one does.
		ts := pick[0]
		if n == 0 {
			ts = toolStatement{ran: true, outcome: "applies"}
			for _, s := range pick {
				ts.gateFail = ts.gateFail || s.gateFail
				ts.blocks = ts.blocks || s.blocks
				if s.outcome != "applies" {
					ts = s
					break
				}
			}
		}
		if e.SQL != "" && n > 0 && !strings.HasPrefix(norm(stripComments(ts.sql)), norm(e.SQL)) {
			add(name+" sql", Other, e.SQL, short(ts.sql, 60))
		}
		if !ts.ran {
			add(name+" outcome", Other, want.String(), ts.outcome)
			continue
		}
		gotFails := strings.HasPrefix(ts.outcome, "fails")
		if tool == "run" {
			// The statement's verdict: it fails when it fails or when a
			// gate scoped to it fails; the truth fails a statement that
			// fails or blocks writers.
			if gotFail := gotFails || ts.gateFail; gotFail != wantFail {
				kind := FalseFail
				if wantFail {
					kind = FalsePass
				}
				add(name+" verdict", kind, verdictWord(wantFail), verdictWord(gotFail))
			}
			if ts.outcome != want.String() {
				add(name+" outcome", Other, want.String(), ts.outcome)
			}
			if ts.blocks != wantBlocks && !want.Fails && !gotFails {
				add(name+" blocks", Blocking, fmt.Sprint(wantBlocks), fmt.Sprint(ts.blocks))
			}
		} else {
			switch {
			case want.Fails && !gotFails:
				add(name+" outcome", PlanFalsePass, want.String(), ts.outcome)
			case !want.Fails && gotFails:
				add(name+" outcome", PlanFalseFail, want.String(), ts.outcome)
			case want.Fails && ts.outcome != want.String() && !strings.HasPrefix(ts.outcome, "fails ("):
				// (An error finding names no number: predicting the
				// failure is what matters.)
				add(name+" outcome", Other, want.String(), ts.outcome)
			}
		}
		// The algorithm of a statement that ran (a false failure is
		// counted above, not again here).
		if a := e.Algorithm.For(flavor); a != "" && n > 0 && !want.Fails && !gotFails && ts.algorithm != a {
			add(name+" algorithm", Algorithm, a, orNone(ts.algorithm))
		}
	}
	return out
}

func verdictWord(fail bool) string {
	if fail {
		return "fail"
	}
	return "pass"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func norm(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.TrimSuffix(s, "…")), " "))
}

// stripComments drops the comment lines a statement starts with.
func stripComments(s string) string {
	for {
		s = strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(s, "--"), strings.HasPrefix(s, "#"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				return s
			}
			s = s[i+2:]
		default:
			return s
		}
	}
}

func short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
