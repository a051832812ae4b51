package rules

import (
	"fmt"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh105 flags migrations with several DDL statements: MySQL commits each
// DDL on its own, so a failure half-way leaves a partial state that neither
// the up nor the down migration expects.
type rh105 struct{ base }

func init() {
	register(rh105{of(codes.MultiDDL)})
}

func (r rh105) Check(c *plan.RuleContext) []plan.Finding {
	var out []plan.Finding
	for i := range c.Plan.Pending {
		pm := &c.Plan.Pending[i]
		n, first := 0, -1
		for j, sp := range pm.Statements {
			if countsAsDDL(sp) {
				n++
				if first < 0 {
					first = j
				}
			}
		}
		if n < 2 {
			continue
		}
		f := at(pm, &pm.Statements[first])
		f.Message = fmt.Sprintf("%d DDL statements in one migration: DDL is not transactional in MySQL, so a failure after the first leaves the schema half-changed and the history dirty", n)
		f.Recommendation = "one DDL statement per migration (or make each step idempotent), so a failed deploy can be resumed or rolled back"
		out = append(out, f)
	}
	return out
}

func countsAsDDL(sp plan.StatementPlan) bool {
	if sp.Kind == "ddl" {
		return true
	}
	for _, in := range sp.Inner {
		if in.Kind == "ddl" && in.Via == "prepare" {
			return true
		}
	}
	return false
}
