package reports

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/rehearse/result"
)

// secs formats a duration in seconds for people: "0", "45ms", "3.02s",
// "4m05s", "1h02m".
func secs(s float64) string {
	switch {
	case s <= 0:
		return "0"
	case s < 1:
		return fmt.Sprintf("%.0fms", s*1000)
	case s < 60:
		return fmt.Sprintf("%.2fs", s)
	case s < 3600:
		m := math.Floor(s / 60)
		return fmt.Sprintf("%.0fm%02.0fs", m, math.Floor(s-m*60))
	}
	h := math.Floor(s / 3600)
	return fmt.Sprintf("%.0fh%02.0fm", h, math.Floor((s-h*3600)/60))
}

// millis formats milliseconds: "0.8ms", "12ms", "1.50s".
func millis(ms float64) string {
	switch {
	case ms <= 0:
		return "0"
	case ms < 10:
		return fmt.Sprintf("%.1fms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0fms", ms)
	}
	return secs(ms / 1000)
}

// num formats a float without trailing zeros, for machine-facing text.
func num(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// ratio formats a p99 ratio: "×3.4"; "" when unknown.
func ratio(r float64) string {
	if r <= 0 {
		return ""
	}
	if r < 10 {
		return fmt.Sprintf("×%.1f", r)
	}
	return fmt.Sprintf("×%.0f", r)
}

// stmtID names a statement the way gates and the timeline do: VERSION#N.
func stmtID(version string, index int) string {
	return version + "#" + strconv.Itoa(index)
}

// stmtStatus is the statement's status, filling in the documented default.
func stmtStatus(s result.Statement) string {
	switch {
	case s.Status != "":
		return s.Status
	case s.Error != "":
		return "failed"
	}
	return "ok"
}

// what is a short description of a statement: its operation and table, or
// the start of its SQL.
func what(s result.Statement) string {
	op := s.Operation
	if op == "" {
		op = firstWords(s.SQL, 3)
	}
	if s.Table != "" {
		return op + " " + s.Table
	}
	return op
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

// oneLine collapses whitespace so SQL fits a table cell.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip shortens s to at most n runes, marking the cut with "…".
func clip(s string, n int) string {
	r := []rune(s)
	if n <= 0 || len(r) <= n {
		return s
	}
	if n == 1 {
		return "…"
	}
	return string(r[:n-1]) + "…"
}

// errorsText lists error classes and counts: "lock_wait_timeout 3, deadlock 1".
func errorsText(m map[string]int64) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	return strings.Join(parts, ", ")
}

// errorsTotal adds the error classes' counts (a sum for display, of counts
// the document already holds).
func errorsTotal(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// failedGates returns the gates that did not pass, in document order.
func failedGates(gs []result.Gate) []result.Gate {
	var out []result.Gate
	for _, g := range gs {
		if !g.Passed {
			out = append(out, g)
		}
	}
	return out
}

// gatesFor returns the gates scoped to one statement.
func gatesFor(gs []result.Gate, id string) []result.Gate {
	var out []result.Gate
	for _, g := range gs {
		if g.Scope == id {
			out = append(out, g)
		}
	}
	return out
}

// gateText is "max-lock-wait (VERSION#N): measured 31s, limit 30s".
func gateText(g result.Gate) string {
	scope := ""
	if g.Scope != "" && g.Scope != "total" {
		scope = " (" + g.Scope + ")"
	}
	return fmt.Sprintf("%s%s: measured %s, limit %s", g.Name, scope, g.Measured, g.Limit)
}

// keptGoingText says which migrations a --keep-going rehearsal ran after
// a failure, and on what ("" when none did).
func keptGoingText(r *result.Report) string {
	var after []string
	for _, m := range r.Migrations {
		if m.AfterFailure != "" {
			after = append(after, m.Version)
		}
	}
	if len(after) == 0 {
		return ""
	}
	var failed []string
	for _, m := range r.Migrations {
		if m.Partial != nil || m.Status == "failed" {
			failed = append(failed, m.Version)
		}
	}
	return fmt.Sprintf("--keep-going: %s rehearsed after %s failed, each on the state the failures left (committed statements kept, as in production); a release fixed otherwise may behave differently",
		strings.Join(after, ", "), strings.Join(failed, ", "))
}

// gateSettingsText lists the gates a rehearsal applied, one per item:
// "max-writer-stall=5s (default)", "app-compat=off".
func gateSettingsText(ss []result.GateSetting) string {
	var parts []string
	for _, s := range ss {
		p := s.Name + "=" + s.Limit
		if s.Default {
			p += " (default)"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// verdictWord is PASS, FAIL or ERROR.
func verdictWord(v string) string {
	switch v {
	case result.Pass:
		return "PASS"
	case result.Fail:
		return "FAIL"
	case result.Error:
		return "ERROR"
	}
	return strings.ToUpper(v)
}
