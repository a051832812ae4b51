// Package codes is the one registry of finding codes: RH0xx (history drift
// and the plan's replay on a schema-only sandbox), RH1xx (the plan's lint
// rules), RUN2xx (what a rehearsal measured) and CAP0xx (capacity
// predictions). Each code has one entry in the table below: its default
// severity, its title and its documentation page, docs/rules/CODE.md.
//
// Every finding is made from its entry (plan.Finding through plan's
// constructors, result.Finding through Finding.Of), so a code that is not
// in the table cannot be emitted: Get panics on it, and the package's
// test checks that every code named in the sources, the docs and the
// fixtures is registered and documented.
//
// Severities can be changed per code by configuration (rehearse.yaml's
// rules: section): Overrides holds them; the loader fills it with Set and
// every producer of findings asks Apply.
package codes

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a finding: error fails the command that reports it (exit 1),
// warning and info inform.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Rank orders severities for display: errors first.
func (s Severity) Rank() int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	case Info:
		return 2
	}
	return 3
}

// ParseSeverity reads "error", "warning" or "info" (any case).
func ParseSeverity(s string) (Severity, error) {
	switch v := Severity(strings.ToLower(strings.TrimSpace(s))); v {
	case Error, Warning, Info:
		return v, nil
	}
	return "", fmt.Errorf("severity %q: want error, warning or info", s)
}

// Code is one registered finding code.
type Code struct {
	ID       string   // "RH101"
	Severity Severity // the default; a producer may report a milder or harsher one where its docs page says so
	Title    string   // one line, lower case: what the finding means
}

// Docs is the code's documentation page, relative to the repository root.
func (c Code) Docs() string { return Docs(c.ID) }

// Docs is a code's documentation page, relative to the repository root.
func Docs(id string) string { return "docs/rules/" + id + ".md" }

var byID = map[string]Code{}

func init() {
	for _, c := range table {
		if _, dup := byID[c.ID]; dup {
			panic("codes: duplicate code " + c.ID)
		}
		if _, err := ParseSeverity(string(c.Severity)); err != nil || c.Title == "" {
			panic("codes: bad entry " + c.ID)
		}
		byID[c.ID] = c
	}
}

// Lookup returns a registered code.
func Lookup(id string) (Code, bool) {
	c, ok := byID[id]
	return c, ok
}

// Get returns a registered code; it panics on an unregistered one (a
// producer emitting a code the table lacks is a bug the tests catch).
func Get(id string) Code {
	c, ok := byID[id]
	if !ok {
		panic("codes: unregistered finding code " + id + " (add it to rehearse/codes/table.go and write docs/rules/" + id + ".md)")
	}
	return c
}

// All returns every registered code, sorted by ID.
func All() []Code {
	out := append([]Code(nil), table...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Overrides are per-code severities and disabled codes set by
// configuration. The zero value (and nil) changes nothing.
type Overrides struct {
	severity map[string]Severity
	disabled map[string]bool
}

// Set overrides code id's severity ("" keeps it) and disables the code
// when disabled is set. It refuses an unregistered code or an unknown
// severity, with an error that says what is accepted.
func (o *Overrides) Set(id, severity string, disabled bool) error {
	if _, ok := byID[id]; !ok {
		return fmt.Errorf("%q is not a finding code (see docs/rules/: RH001..., RH101..., RUN201..., CAP001...)", id)
	}
	if severity != "" {
		s, err := ParseSeverity(severity)
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		if o.severity == nil {
			o.severity = map[string]Severity{}
		}
		o.severity[id] = s
	}
	if disabled {
		if o.disabled == nil {
			o.disabled = map[string]bool{}
		}
		o.disabled[id] = true
	}
	return nil
}

// Apply returns the severity a finding of code id reported at sev gets,
// and false when the code is disabled (the finding is dropped).
func (o *Overrides) Apply(id string, sev Severity) (Severity, bool) {
	if o == nil {
		return sev, true
	}
	if o.disabled[id] {
		return sev, false
	}
	if s, ok := o.severity[id]; ok {
		return s, true
	}
	return sev, true
}

// Severity is code id's severity under the overrides: the override, else
// the registered default.
func (o *Overrides) Severity(id string) Severity {
	s, _ := o.Apply(id, Get(id).Severity)
	return s
}
