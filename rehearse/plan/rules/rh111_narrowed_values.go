package rules

import (
	"fmt"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh111 flags a change that narrows a column below values production
// holds, as the snapshot's statistics show (longest string, extremes,
// digits, distinct members): under a strict sql_mode the ALTER fails in
// production; without it the values are cut silently. Where the statistics
// cannot tell, RH103 warns.
type rh111 struct{ base }

func init() {
	register(rh111{of(codes.NarrowedValues)})
}

func (r rh111) Check(c *plan.RuleContext) []plan.Finding {
	var out []plan.Finding
	strict := strictSnapshot(c)
	var seen changes
	statements(c.Plan, func(pm *plan.PendingMigration, sp *plan.StatementPlan) {
		defer seen.record(pm, sp)
		if sp.Table == nil || sp.Table.New {
			return
		}
		for _, op := range sp.Ops {
			n := op.Narrowing
			if n == nil || n.Over == "" || seen.staleFor(sp, op.Object) != "" {
				continue
			}
			f := at(pm, sp)
			f.Message = fmt.Sprintf("%s %s on %s (%s -> %s): %s. Exact evidence: those rows existed when the snapshot was taken; values that do not fit (%s) %s",
				op.Class, op.Object, sp.Table.Name, n.From, n.To, n.Over, n.Kind, whatHappensShort(n, strict))
			f.Recommendation = "fix the values that do not fit in an earlier migration (or keep the wider definition), and keep a backup from just before the release"
			if n.Silent {
				f.Severity = plan.SevWarning // rounding, in every sql_mode: a loss of precision the author may intend
			}
			out = append(out, f)
		}
	})
	return out
}
