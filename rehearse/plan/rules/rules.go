// Package rules holds the plan's lint rules, one file each, registered by
// code (RH101 ...). Each rule's documentation is docs/rules/<code>.md;
// severities and disabled rules come from rehearse.yaml's rules: section.
package rules

import (
	"sort"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

var registry = map[string]plan.Rule{}

// register adds a rule; each rule's file calls it in init.
func register(r plan.Rule) {
	if _, dup := registry[r.Code()]; dup {
		panic("rules: duplicate code " + r.Code())
	}
	registry[r.Code()] = r
}

// All returns every rule, sorted by code.
func All() []plan.Rule {
	out := make([]plan.Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code() < out[j].Code() })
	return out
}

// base implements Code/Title/Severity for the rules, from the registry.
type base struct{ c codes.Code }

// of is the base of the rule of a registered code.
func of(code string) base { return base{codes.Get(code)} }

func (b base) Code() string            { return b.c.ID }
func (b base) Title() string           { return b.c.Title }
func (b base) Severity() plan.Severity { return b.c.Severity }

// statements calls fn for every top-level and inner statement plan.
func statements(p *plan.Plan, fn func(pm *plan.PendingMigration, sp *plan.StatementPlan)) {
	var walk func(pm *plan.PendingMigration, sps []plan.StatementPlan)
	walk = func(pm *plan.PendingMigration, sps []plan.StatementPlan) {
		for i := range sps {
			fn(pm, &sps[i])
			walk(pm, sps[i].Inner)
		}
	}
	for i := range p.Pending {
		walk(&p.Pending[i], p.Pending[i].Statements)
	}
}

func at(pm *plan.PendingMigration, sp *plan.StatementPlan) plan.Finding {
	return plan.Finding{Migration: pm.Key, File: sp.File, Line: sp.Line}
}

// DefaultLargeRows is the size from which a table counts as large.
const DefaultLargeRows = 1_000_000
