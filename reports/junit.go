package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/rehearse/rehearse/rehearse/result"
)

func init() {
	register(Format{
		Name: "junit", File: "junit.xml",
		Doc:    "JUnit XML for Jenkins, GitLab and GitHub test reporters: one test case per statement and per gate",
		Report: junitReport,
		Other:  junitOther,
	})
}

// The JUnit XML shape Jenkins' junit plugin, GitLab and the common GitHub
// reporters read (testdata/junit.xsd states it as a schema).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string         `xml:"name,attr"`
	Tests      int            `xml:"tests,attr"`
	Failures   int            `xml:"failures,attr"`
	Errors     int            `xml:"errors,attr"`
	Skipped    int            `xml:"skipped,attr"`
	Time       string         `xml:"time,attr"`
	Timestamp  string         `xml:"timestamp,attr,omitempty"`
	Properties *junitProps    `xml:"properties,omitempty"`
	Cases      []junitCase    `xml:"testcase"`
	SystemOut  *junitCharData `xml:"system-out,omitempty"`
}

type junitProps struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	Time      string         `xml:"time,attr"`
	Skipped   *junitResult   `xml:"skipped,omitempty"`
	Failures  []junitResult  `xml:"failure,omitempty"`
	Error     *junitResult   `xml:"error,omitempty"`
	SystemOut *junitCharData `xml:"system-out,omitempty"`
}

type junitResult struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",cdata"`
}

type junitCharData struct {
	Body string `xml:",cdata"`
}

// junitTime is seconds with millisecond precision, the form Surefire's
// schema (and Jenkins) accepts.
func junitTime(s float64) string {
	if s < 0 {
		s = 0
	}
	return fmt.Sprintf("%.3f", s)
}

// add appends a case to the suite and keeps its counts.
func (s *junitSuite) add(c junitCase) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	if len(c.Failures) > 0 {
		s.Failures++ // test cases that failed, not <failure> elements
	}
	if c.Error != nil {
		s.Errors++
	}
	if c.Skipped != nil {
		s.Skipped++
	}
}

func junitReport(w io.Writer, r *result.Report, _ Options) error {
	props := &junitProps{}
	for _, kv := range [][2]string{
		{"verdict", r.Verdict}, {"tool", r.Tool}, {"flavor", r.Inputs.Flavor}, {"version", r.Inputs.Version},
		{"engine", r.Inputs.Engine}, {"scale", num(r.Inputs.Scale)}, {"snapshot_digest", r.Inputs.SnapshotDigest},
		{"keep_going", map[bool]string{true: "true"}[r.Inputs.KeepGoing]},
		{"replication", replicationLine(r.Replication)},
		{"data_cache_key", r.DataCacheKey()},
	} {
		if kv[1] != "" {
			props.Props = append(props.Props, junitProp{kv[0], kv[1]})
		}
	}
	stamp := ""
	if !r.StartedAt.IsZero() {
		stamp = r.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	stmts := junitSuite{Name: "rehearse.migrations", Timestamp: stamp, Properties: props}
	var total float64
	for _, m := range r.Migrations {
		for _, s := range m.Statements {
			stmts.add(statementCase(r, m, s))
			total += s.DurationS
		}
	}
	stmts.Time = junitTime(total)
	if r.Verdict == result.Error {
		c := junitCase{Name: "rehearsal runs to the end", Classname: "rehearse", Time: junitTime(r.FinishedAt.Sub(r.StartedAt).Seconds())}
		var body []string
		for _, e := range r.Errors {
			body = append(body, e.Phase+": "+e.Message)
		}
		c.Error = &junitResult{Message: r.Reason, Type: "rehearsal-error", Body: strings.Join(body, "\n")}
		stmts.add(c)
	}
	gates := junitSuite{Name: "rehearse.gates", Time: junitTime(0)}
	if len(r.GateSettings) > 0 {
		gates.Properties = &junitProps{}
		for _, s := range r.GateSettings {
			v := s.Limit
			if s.Default {
				v += " (default)"
			}
			gates.Properties.Props = append(gates.Properties.Props, junitProp{"gate." + s.Name, v})
		}
	}
	for _, g := range r.Gates {
		c := junitCase{Name: g.Name + " [" + g.Scope + "]", Classname: "rehearse.gates", Time: junitTime(0)}
		if !g.Passed {
			c.Failures = append(c.Failures, junitResult{
				Message: fmt.Sprintf("measured %s, limit %s", g.Measured, g.Limit),
				Type:    g.Name,
				Body:    gateText(g),
			})
		}
		gates.add(c)
	}
	doc := junitSuites{Name: "rehearse", Suites: []junitSuite{stmts}}
	if len(gates.Cases) > 0 {
		doc.Suites = append(doc.Suites, gates)
	}
	if rb := rollbackSuite(r.Rollback, gateFailed(r.Gates, "rollback")); rb != nil {
		doc.Suites = append(doc.Suites, *rb)
	}
	if ac := appCompatSuite(r.AppCompat, gateFailed(r.Gates, "app-compat")); ac != nil {
		doc.Suites = append(doc.Suites, *ac)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	doc.Time = junitTime(r.FinishedAt.Sub(r.StartedAt).Seconds())
	return writeXML(w, doc)
}

// statementCase is one statement: failed when it errored or a gate scoped
// to it failed (one <failure> each, with the measured figure and limit);
// skipped when it did not run.
func statementCase(r *result.Report, m result.Migration, s result.Statement) junitCase {
	id := stmtID(m.Version, s.Index)
	c := junitCase{
		Name:      id + " " + what(s),
		Classname: "rehearse.migrations." + classPart(m.Version+"_"+m.Name),
		Time:      junitTime(s.DurationS),
	}
	var out []string
	out = append(out, fmt.Sprintf("%s line %d", m.File, s.Line), oneLine(s.SQL))
	if stmtStatus(s) != "not_run" {
		out = append(out, fmt.Sprintf("duration %s, algorithm %s, lock wait %s, writers blocked %d, longest stall %s, blocked session-seconds %s, deepest queue %d",
			secs(s.DurationS), dash(s.Algorithm), secs(s.LockWaitS), s.WritersBlocked, secs(s.LongestStallS), num(s.BlockedSessionS), s.DeepestQueue))
		if s.During != nil {
			out = append(out, fmt.Sprintf("write p99 %s (%s of baseline), throughput %s ops/s, errors: %s",
				millis(s.During.P99Ms), dash(ratio(s.P99Ratio)), num(s.During.Throughput), dash(errorsText(s.During.Errors))))
		}
		if s.BlockedBy != "" {
			out = append(out, "blocked by "+s.BlockedBy)
		}
		for _, f := range s.Replicas {
			out = append(out, "replica "+replicaText(f))
		}
		for _, f := range s.Galera {
			out = append(out, "galera "+galeraText(f))
		}
	}
	if r.Capacity != nil {
		for _, cs := range r.Capacity.Statements {
			if cs.Migration == m.Version && cs.Statement == s.Index {
				out = append(out, capacityLine(cs))
			}
		}
	}
	if s.Rollback != "" {
		out = append(out, "rollback: "+s.Rollback)
	}
	if m.AfterFailure != "" {
		out = append(out, m.AfterFailure)
	}
	c.SystemOut = &junitCharData{Body: strings.Join(out, "\n")}
	switch stmtStatus(s) {
	case "not_run":
		c.Skipped = &junitResult{Message: "not run: an earlier statement failed or the rehearsal stopped"}
		return c
	case "failed":
		c.Failures = append(c.Failures, junitResult{
			Message: oneLine(s.Error),
			Type:    fmt.Sprintf("mysql-%d", s.ErrorCode),
			Body:    oneLine(s.SQL),
		})
	}
	for _, g := range gatesFor(r.Gates, id) {
		if !g.Passed {
			c.Failures = append(c.Failures, junitResult{
				Message: fmt.Sprintf("%s: measured %s, limit %s", g.Name, g.Measured, g.Limit),
				Type:    g.Name,
				Body:    gateText(g),
			})
		}
	}
	return c
}

// gateFailed tells whether a gate of that name failed.
func gateFailed(gs []result.Gate, name string) bool {
	for _, g := range gs {
		if g.Name == name && !g.Passed {
			return true
		}
	}
	return false
}

// rollbackSuite has one case per down migration and one for the schema
// comparison. Cases fail only when the rollback gate failed: JUnit mirrors
// the verdict, and the details are in each case's output either way.
func rollbackSuite(rb *result.Rollback, gated bool) *junitSuite {
	if rb == nil || !rb.Attempted {
		return nil
	}
	s := junitSuite{Name: "rehearse.rollback", Time: junitTime(0)}
	for _, m := range rb.Migrations {
		c := junitCase{Name: m.Version + " down restores the schema", Classname: "rehearse.rollback", Time: junitTime(0),
			SystemOut: &junitCharData{Body: strings.Join(append([]string{"down verdict: " + m.Verdict}, m.Detail...), "\n")}}
		if gated && m.Verdict != "restores" {
			c.Failures = append(c.Failures, junitResult{Message: "down verdict: " + m.Verdict, Type: "rollback-" + m.Verdict, Body: strings.Join(m.Detail, "\n")})
		}
		s.add(c)
	}
	c := junitCase{Name: "schema equals the pre-release schema after the downs", Classname: "rehearse.rollback", Time: junitTime(0)}
	if len(rb.Remaining) > 0 {
		c.SystemOut = &junitCharData{Body: strings.Join(rb.Remaining, "\n")}
	}
	if gated && !rb.Restores {
		c.Failures = append(c.Failures, junitResult{Message: fmt.Sprintf("%d objects differ", len(rb.Remaining)), Type: "rollback", Body: strings.Join(rb.Remaining, "\n")})
	}
	s.add(c)
	return &s
}

// appCompatSuite is the previous-app check; it fails only when the
// app-compat gate failed.
func appCompatSuite(ac *result.AppCompat, gated bool) *junitSuite {
	if ac == nil {
		return nil
	}
	s := junitSuite{Name: "rehearse.app-compat", Time: junitTime(0)}
	c := junitCase{Name: fmt.Sprintf("previous app version works on the new schema (%d statement shapes)", ac.Checked), Classname: "rehearse.app-compat", Time: junitTime(0)}
	var out []string
	for _, f := range ac.Failures {
		out = append(out, fmt.Sprintf("%s %s fails: %s\n  %s", f.Kind, f.Table, oneLine(f.Error), f.Shape))
		if !gated {
			continue
		}
		c.Failures = append(c.Failures, junitResult{
			Message: fmt.Sprintf("%s %s fails: %s", f.Kind, f.Table, oneLine(f.Error)),
			Type:    fmt.Sprintf("mysql-%d", f.ErrorCode),
			Body:    f.Shape,
		})
	}
	if len(out) > 0 {
		c.SystemOut = &junitCharData{Body: strings.Join(out, "\n")}
	}
	s.add(c)
	return &s
}

// classPart makes a string usable as a dotted class-name segment (reporters
// split class names at dots into package trees).
func classPart(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
}

func writeXML(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
