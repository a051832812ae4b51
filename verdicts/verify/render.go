package main

import (
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/verdicts"
)

// outcome is a statement's truth in the case format.
func (o stmtObs) outcome() string {
	if o.Code == 0 {
		return "applies"
	}
	return fmt.Sprintf("fails %d", o.Code)
}

// render prints what the server said in the case format (expect: and a
// verified: entry), with the evidence as comments.
func (obs *observed) render(c *verdicts.Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s on %s, %s\n", c.Name, obs.server, obs.date)
	b.WriteString("statements:\n")
	for _, s := range obs.stmts {
		fmt.Fprintf(&b, "  - at: %s\n    sql: %q\n", s.At, sqlStart(s.SQL))
		fmt.Fprintf(&b, "    outcome: %s   # %.3f s, %d rows%s\n", s.outcome(), s.Dur.Seconds(), s.Rows, errNote(s))
		if s.Algorithm != "" {
			fmt.Fprintf(&b, "    algorithm: %s   # lock %s; ladder: %s\n", s.Algorithm, orDash(s.Lock), strings.Join(s.Ladder, "; "))
		} else if len(s.Ladder) > 0 {
			fmt.Fprintf(&b, "    # no ALGORITHM accepted; ladder: %s\n", strings.Join(s.Ladder, "; "))
		}
		fmt.Fprintf(&b, "    blocks: %t   # %d writes in flight, longest wait within it %.0f ms\n", s.Blocks, s.Ops, s.Longest.Seconds()*1000)
	}
	if len(obs.rbOrder) > 0 {
		b.WriteString("rollback:\n")
		for _, v := range obs.rbOrder {
			fmt.Fprintf(&b, "  %q: %s   # %s\n", v, obs.rollback[v], obs.rbDetail[v])
		}
	}
	if obs.app != "" {
		fmt.Fprintf(&b, "app_compat: %s", obs.app)
		if len(obs.appDetail) > 0 {
			fmt.Fprintf(&b, "   # %s", strings.Join(obs.appDetail, "; "))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "verdict: %s   # under the default gates, derived (README)\n", obs.verdict())
	b.WriteString("saw: |\n")
	for _, l := range obs.saw() {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

// saw is the short record a case keeps in verified[].saw.
func (obs *observed) saw() []string {
	var out []string
	for _, s := range obs.stmts {
		l := fmt.Sprintf("%s %s: %s in %.2f s", s.At, short(sqlStart(s.SQL), 40), strings.ToUpper(s.outcome()[:1])+s.outcome()[1:], s.Dur.Seconds())
		if s.Algorithm != "" {
			l += "; best " + s.Algorithm
			if s.Lock != "" {
				l += ", LOCK=" + s.Lock
			}
		}
		l += fmt.Sprintf("; longest write wait %.0f ms", s.Longest.Seconds()*1000)
		out = append(out, l)
	}
	for _, v := range obs.rbOrder {
		out = append(out, fmt.Sprintf("down %s: %s (%s)", v, obs.rollback[v], obs.rbDetail[v]))
	}
	if obs.app != "" {
		l := "previous app: " + obs.app
		if len(obs.appDetail) > 0 {
			l += " (" + strings.Join(obs.appDetail, "; ") + ")"
		}
		out = append(out, l)
	}
	return out
}

func (obs *observed) verdict() string {
	for _, s := range obs.stmts {
		if s.Code != 0 || s.Blocks {
			return "fail"
		}
	}
	if obs.app == "breaks" {
		return "fail"
	}
	return "pass"
}

// compare lists where the case's expect differs from what the server said.
func (obs *observed) compare(c *verdicts.Case) []string {
	flavor := strings.Fields(obs.server)[0]
	var out []string
	got := map[string]stmtObs{}
	for _, s := range obs.stmts {
		got[s.At] = s
	}
	for _, e := range c.Expect.Statements {
		s, ok := got[e.At]
		if !ok {
			out = append(out, fmt.Sprintf("%s: expected, but the server never ran it (an earlier statement failed, or the migration ran whole)", e.At))
			continue
		}
		delete(got, e.At)
		if e.SQL != "" && !strings.HasPrefix(norm(sqlStart(s.SQL)), norm(e.SQL)) {
			out = append(out, fmt.Sprintf("%s: sql starts %q, the case says %q", e.At, sqlStart(s.SQL), e.SQL))
		}
		if w := e.Outcome.For(flavor); w != s.outcome() {
			out = append(out, fmt.Sprintf("%s: outcome %s, the case says %s", e.At, s.outcome(), w))
		}
		if w := e.Algorithm.For(flavor); w != s.Algorithm && !(w == "" && s.Code != 0) {
			out = append(out, fmt.Sprintf("%s: algorithm %q, the case says %q", e.At, s.Algorithm, w))
		}
		if w := e.Blocks.For(flavor); w != fmt.Sprint(s.Blocks) {
			out = append(out, fmt.Sprintf("%s: blocks %t (longest write %.0f ms of %.0f ms), the case says %q", e.At, s.Blocks, s.Longest.Seconds()*1000, s.Dur.Seconds()*1000, w))
		}
	}
	for at := range got {
		out = append(out, fmt.Sprintf("%s: ran, but the case does not state it", at))
	}
	for v, r := range obs.rollback {
		want := ""
		for k, p := range c.Expect.Rollback {
			if strings.TrimLeft(k, "0") == strings.TrimLeft(v, "0") {
				want = p.For(flavor)
			}
		}
		if want != r {
			out = append(out, fmt.Sprintf("rollback %s: %s (%s), the case says %q", v, r, obs.rbDetail[v], want))
		}
	}
	for k := range c.Expect.Rollback {
		found := false
		for v := range obs.rollback {
			found = found || strings.TrimLeft(k, "0") == strings.TrimLeft(v, "0")
		}
		if !found && c.Expect.Rollback[k].For(flavor) != "" {
			out = append(out, fmt.Sprintf("rollback %s: the case states it, the rollback never reached it", k))
		}
	}
	if w := c.Expect.AppCompat.For(flavor); w != obs.app {
		out = append(out, fmt.Sprintf("app_compat: %q, the case says %q", obs.app, w))
	}
	return out
}

func errNote(s stmtObs) string {
	if s.Code == 0 {
		return ""
	}
	return "; " + short(s.Msg, 100)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// sqlStart is the statement without leading comments, on one line, cut.
func sqlStart(s string) string {
	return short(leadComment.ReplaceAllString(s, ""), 60)
}

func norm(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.TrimSuffix(s, "…")), " "))
}
