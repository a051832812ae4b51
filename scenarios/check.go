package scenarios

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/rehearse/result"
)

// Failure is an expectation that did not hold.
type Failure struct {
	File      string // "<scenario>/expect.yaml"
	Line      int
	Assertion string
	// Got is what the report holds instead ("" when the subject is missing).
	Got    string
	Reason string
}

func (f Failure) String() string {
	s := fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Assertion)
	if f.Got != "" {
		s += fmt.Sprintf(" (got %s)", f.Got)
	}
	if f.Reason != "" {
		s += ": " + f.Reason
	}
	return s
}

// Check evaluates the expectations on a report and returns the ones that do
// not hold (none means the scenario reproduced as expected). Assertions
// restricted to other servers (On) are skipped; the report's inputs say
// which server ran.
func Check(r *result.Report, e *Expectations) []Failure {
	var out []Failure
	if r == nil {
		return []Failure{{File: e.File, Assertion: "a report", Reason: "no report"}}
	}
	if e.Verdict != "" && r.Verdict != e.Verdict {
		why := r.Reason
		out = append(out, Failure{File: e.File, Assertion: "verdict == " + e.Verdict, Got: r.Verdict, Reason: why})
	}
	doc := toJSON(r)
	for _, a := range e.Assertions {
		if a.On != "" {
			if ok, err := targeted(a.On, r.Inputs.Flavor, r.Inputs.Version); err != nil || !ok {
				continue
			}
		}
		c, err := parseAssertion(a.Text)
		if err != nil { // ParseExpectations rejects these; kept for hand-built values
			out = append(out, Failure{File: e.File, Line: a.Line, Assertion: a.Text, Reason: err.Error()})
			continue
		}
		if got, reason := c.eval(r, doc); reason != "" {
			out = append(out, Failure{File: e.File, Line: a.Line, Assertion: a.Text, Got: got, Reason: reason})
		}
	}
	return out
}

// eval returns "" as reason when the assertion holds.
func (c *compiled) eval(r *result.Report, doc map[string]any) (got, reason string) {
	var subject any
	switch c.subject {
	case "verdict":
		return c.compare(nil, r.Verdict)
	case "report":
		subject = doc
	case "statement":
		m := findMigration(r, c.key)
		if m == nil {
			return "", fmt.Sprintf("migration %s is not in the report", c.key)
		}
		for i := range m.Statements {
			if m.Statements[i].Index == c.index {
				subject = toJSON(m.Statements[i])
			}
		}
		if subject == nil {
			return "", fmt.Sprintf("migration %s has no statement %d in the report (it has %d)", c.key, c.index, len(m.Statements))
		}
	case "migration":
		m := findMigration(r, c.key)
		if m == nil {
			return "", fmt.Sprintf("migration %s is not in the report", c.key)
		}
		subject = toJSON(m)
	case "rollback":
		if r.Rollback == nil {
			return "", "the report has no rollback section"
		}
		for i := range r.Rollback.Migrations {
			if r.Rollback.Migrations[i].Version == c.key {
				subject = toJSON(r.Rollback.Migrations[i])
			}
		}
		if subject == nil {
			return "", fmt.Sprintf("the rollback has no entry for migration %s", c.key)
		}
	case "gate":
		g, ok := gateSummary(r.Gates, c.key)
		if !ok {
			return "", fmt.Sprintf("the report has no gate %s", c.key)
		}
		subject = toJSON(g)
	case "finding":
		return c.evalFinding(r)
	case "injection":
		n := 0
		for _, in := range r.Injections {
			if in.Kind == c.key {
				n++
			}
		}
		return presence(n, c.present, "injection")
	case "app_compat":
		return c.evalAppCompat(r)
	}
	v, ok := lookup(subject, c.path)
	if !ok {
		return "", fmt.Sprintf("no field %s", strings.Join(c.path, "."))
	}
	return c.compare(subject, v)
}

func (c *compiled) evalFinding(r *result.Report) (string, string) {
	n := 0
	var codes []string
	for _, f := range r.Findings {
		codes = append(codes, f.Code)
		if ok, _ := path.Match(c.key, f.Code); !ok {
			continue
		}
		if v, ok := c.filters["migration"]; ok && f.Migration != v {
			continue
		}
		if v, ok := c.filters["table"]; ok && f.Table != v {
			continue
		}
		if v, ok := c.filters["severity"]; ok && f.Severity != v {
			continue
		}
		if v, ok := c.filters["statement"]; ok && strconv.Itoa(f.Statement) != v {
			continue
		}
		if v, ok := c.filters["message"]; ok && !strings.Contains(strings.ToLower(f.Message), strings.ToLower(v)) {
			continue
		}
		n++
	}
	got, reason := presence(n, c.present, "matching finding")
	if reason != "" {
		got = "findings [" + strings.Join(codes, " ") + "]"
	}
	return got, reason
}

func (c *compiled) evalAppCompat(r *result.Report) (string, string) {
	var fails []result.AppCompatIssue
	if r.AppCompat != nil {
		fails = r.AppCompat.Failures
	}
	if !c.present {
		if len(fails) == 0 {
			return "", ""
		}
		return fmt.Sprintf("%d failures, first on %s: %s", len(fails), fails[0].Table, fails[0].Error), "expected none"
	}
	if r.AppCompat == nil {
		return "", "the report has no app_compat section"
	}
	var seen []string
	for _, f := range fails {
		seen = append(seen, fmt.Sprintf("%s/%d", f.Table, f.ErrorCode))
		if f.Table != c.key {
			continue
		}
		if code, ok := c.filters["code"]; ok && strconv.Itoa(f.ErrorCode) != code {
			continue
		}
		return "", ""
	}
	return "[" + strings.Join(seen, " ") + "]", "no such failure"
}

// gateSummary finds a gate by "NAME" or "NAME@SCOPE". A gate evaluated per
// statement has one entry per scope; by NAME alone they are summed up: it
// passed when every scope passed, and its value and measurement are the
// worst (highest) scope's.
func gateSummary(gates []result.Gate, key string) (result.Gate, bool) {
	name, scope, scoped := strings.Cut(key, "@")
	var sum result.Gate
	found := false
	for _, g := range gates {
		if g.Name != name || (scoped && g.Scope != scope) {
			continue
		}
		if !found {
			sum, found = g, true
			if !scoped {
				sum.Scope = "all"
			}
			continue
		}
		sum.Passed = sum.Passed && g.Passed
		if g.Value > sum.Value {
			sum.Value, sum.Measured, sum.Limit = g.Value, g.Measured, g.Limit
		}
	}
	return sum, found
}

func presence(n int, want bool, what string) (string, string) {
	switch {
	case want && n == 0:
		return "none", "expected a " + what
	case !want && n > 0:
		return fmt.Sprintf("%d", n), "expected no " + what
	}
	return "", ""
}

func findMigration(r *result.Report, version string) *result.Migration {
	for i := range r.Migrations {
		if r.Migrations[i].Version == version {
			return &r.Migrations[i]
		}
	}
	return nil
}

// toJSON turns a result value into generic JSON values so assertions address
// fields by their documented JSON names.
func toJSON(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// lookup follows a dotted path; a missing numeric field reads as 0 (the
// document omits zero values), a missing object is "not found".
func lookup(v any, p []string) (any, bool) {
	for _, k := range p {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[k]
			if !ok {
				return nil, true // omitted: null
			}
			v = next
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
