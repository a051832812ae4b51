package plan

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// groupFindings makes one finding of the findings of the same code and
// severity (RH109 on every DDL of a release was 6 to 18 identical
// warnings): the first keeps its place and message, Statements lists every
// place in the order found, each with its own message where it differs.
// When the messages differ, the finding's message says how many places
// and leads with the first's.
func groupFindings(fs []Finding) []Finding {
	type key struct {
		code string
		sev  Severity
	}
	at := map[key]int{}
	var out []Finding
	for _, f := range fs {
		k := key{f.Code, f.Severity}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, f)
			continue
		}
		g := &out[i]
		if len(g.Statements) == 0 {
			g.Statements = []Place{{Migration: g.Migration, File: g.File, Line: g.Line, Message: g.Message}}
		}
		g.Statements = append(g.Statements, Place{Migration: f.Migration, File: f.File, Line: f.Line, Message: f.Message})
		if g.Recommendation == "" {
			g.Recommendation = f.Recommendation
		}
	}
	for i := range out {
		g := &out[i]
		if len(g.Statements) == 0 {
			continue
		}
		same := true
		for _, pl := range g.Statements {
			same = same && pl.Message == g.Statements[0].Message
		}
		if same {
			g.Message = g.Statements[0].Message
			for j := range g.Statements {
				g.Statements[j].Message = ""
			}
			continue
		}
		first := g.Statements[0]
		g.Message = fmt.Sprintf("%d places; %s: %s", len(g.Statements), placeText(first), first.Message)
	}
	return out
}

func placeText(pl Place) string {
	switch {
	case pl.File != "":
		return fmt.Sprintf("%s:%d", filepath.Base(pl.File), pl.Line)
	case pl.Migration != "":
		return pl.Migration
	}
	return "the release"
}

// orderFindings puts what matters first: errors, then warnings, then
// information; within a severity, the finding on the largest table (the
// most rows its statements touch), then the one at the most places, then
// the order found.
func orderFindings(p *Plan, fs []Finding) []Finding {
	rows := map[string]int64{}
	each(p, func(_ *PendingMigration, sp *StatementPlan) {
		if sp.Table != nil {
			k := fmt.Sprintf("%s:%d", sp.File, sp.Line)
			rows[k] = max(rows[k], sp.Table.Rows)
		}
	})
	impact := func(f Finding) int64 {
		var m int64
		for _, pl := range f.Places() {
			m = max(m, rows[fmt.Sprintf("%s:%d", pl.File, pl.Line)])
		}
		return m
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return ra < rb
		}
		if ia, ib := impact(a), impact(b); ia != ib {
			return ia > ib
		}
		return len(a.Places()) > len(b.Places())
	})
	return fs
}

// PlacesText lists a grouped finding's places for a one-line message
// (" — at a.sql:3, b.sql:7: its own message, ..."); "" for a finding of
// one place.
func PlacesText(f Finding) string {
	if len(f.Statements) < 2 {
		return ""
	}
	var parts []string
	for _, pl := range f.Statements {
		t := placeText(pl)
		if pl.Message != "" {
			t += ": " + pl.Message
		}
		parts = append(parts, t)
	}
	return " — at " + strings.Join(parts, "; ")
}
