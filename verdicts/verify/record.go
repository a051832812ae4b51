package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/verdicts"
)

// saved is one flavor's observations, as -json writes them.
type saved struct {
	Server     string            `json:"server"`
	Date       string            `json:"date"`
	Statements []savedStmt       `json:"statements"`
	Rollback   map[string]string `json:"rollback"`
	RbOrder    []string          `json:"rollback_order"`
	AppCompat  string            `json:"app_compat,omitempty"`
	Saw        []string          `json:"saw"`
}

type savedStmt struct {
	At        string `json:"at"`
	SQL       string `json:"sql"`
	Outcome   string `json:"outcome"`
	Algorithm string `json:"algorithm,omitempty"`
	Blocks    bool   `json:"blocks"`
}

func (obs *observed) writeJSON(path string) error {
	s := saved{Server: obs.server, Date: obs.date, Rollback: obs.rollback, RbOrder: obs.rbOrder, AppCompat: obs.app, Saw: obs.saw()}
	for _, st := range obs.stmts {
		s.Statements = append(s.Statements, savedStmt{At: st.At, SQL: sqlStart(st.SQL), Outcome: st.outcome(), Algorithm: st.Algorithm, Blocks: st.Blocks})
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// record rewrites the case's expect: and verified: from the flavors'
// observations (everything above expect: is kept). A value the flavors
// agree on is written once, else as {mariadb: ..., mysql: ...}.
func record(caseDir string, files []string) error {
	c, err := verdicts.Load(caseDir)
	if err != nil {
		return err
	}
	obs := map[string]*saved{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		s := &saved{}
		if err := json.Unmarshal(b, s); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		obs[strings.Fields(s.Server)[0]] = s
	}
	var flavors []string
	for _, f := range verdicts.Flavors {
		if c.Runs(f) {
			if obs[f] == nil {
				return fmt.Errorf("no observation for %s (run verify on it first)", f)
			}
			flavors = append(flavors, f)
		}
	}
	val := func(get func(*saved) string) string {
		vals := map[string]string{}
		same := true
		for _, f := range flavors {
			vals[f] = get(obs[f])
			same = same && vals[f] == vals[flavors[0]]
		}
		if same {
			return vals[flavors[0]]
		}
		var parts []string
		for _, f := range flavors {
			if vals[f] != "" {
				parts = append(parts, f+": "+vals[f])
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	// The statements, in the order they ran on the flavor that ran most.
	var ats []string
	sqlOf := map[string]string{}
	seen := map[string]bool{}
	for _, f := range flavors {
		for _, st := range obs[f].Statements {
			if !seen[st.At] {
				seen[st.At] = true
				ats = append(ats, st.At)
			}
			if sqlOf[st.At] == "" {
				sqlOf[st.At] = st.SQL
			}
		}
	}
	stmt := func(s *saved, at string) *savedStmt {
		for i := range s.Statements {
			if s.Statements[i].At == at {
				return &s.Statements[i]
			}
		}
		return nil
	}
	var b strings.Builder
	b.WriteString("# expect: and verified: written by verdicts/verify.sh --record from what the plain servers said.\n")
	b.WriteString("expect:\n  statements:\n")
	for _, at := range ats {
		fmt.Fprintf(&b, "    - at: %q\n      sql: %q\n", at, strings.TrimSuffix(sqlOf[at], "…"))
		fmt.Fprintf(&b, "      outcome: %s\n", val(func(s *saved) string {
			if st := stmt(s, at); st != nil {
				return st.Outcome
			}
			return "" // not reached on this flavor
		}))
		if a := val(func(s *saved) string {
			if st := stmt(s, at); st != nil && st.Outcome == "applies" {
				return st.Algorithm
			}
			return ""
		}); a != "" {
			fmt.Fprintf(&b, "      algorithm: %s\n", a)
		}
		fmt.Fprintf(&b, "      blocks: %s\n", val(func(s *saved) string {
			if st := stmt(s, at); st != nil {
				return fmt.Sprint(st.Blocks)
			}
			return ""
		}))
	}
	var vers []string
	rseen := map[string]bool{}
	for _, f := range flavors {
		for _, v := range obs[f].RbOrder {
			if !rseen[v] {
				rseen[v] = true
				vers = append(vers, v)
			}
		}
	}
	if len(vers) > 0 {
		b.WriteString("  rollback:\n")
		for _, v := range vers {
			fmt.Fprintf(&b, "    %q: %s\n", v, val(func(s *saved) string { return s.Rollback[v] }))
		}
	}
	if a := val(func(s *saved) string { return s.AppCompat }); a != "" {
		fmt.Fprintf(&b, "  app_compat: %s\n", a)
	}
	b.WriteString("verified:\n")
	sort.Strings(flavors)
	for _, f := range flavors {
		s := obs[f]
		fmt.Fprintf(&b, "  - server: %s\n    date: %s\n    command: verdicts/verify.sh %s\n    saw: |\n", s.Server, s.Date, c.Name)
		for _, l := range s.Saw {
			fmt.Fprintf(&b, "      %s\n", l)
		}
	}
	file := filepath.Join(c.Dir, "case.yaml")
	old, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	text := string(old)
	for _, mark := range []string{"\n# expect: and verified: written", "\nexpect:", "\nverified:"} {
		if i := strings.Index(text, mark); i >= 0 {
			text = text[:i+1]
		}
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return os.WriteFile(file, []byte(text+b.String()), 0o644)
}
