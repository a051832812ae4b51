package rules

import (
	"fmt"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh101 flags a table rebuild or a write-blocking lock on a large table.
type rh101 struct{ base }

func init() {
	register(rh101{of(codes.BlockingLargeTable)})
}

func (r rh101) Check(c *plan.RuleContext) []plan.Finding {
	large := c.Config.Int("large_table_rows", DefaultLargeRows)
	var out []plan.Finding
	statements(c.Plan, func(pm *plan.PendingMigration, sp *plan.StatementPlan) {
		a := plan.Effective(sp)
		if a == nil || sp.Table == nil || sp.Table.Rows < large {
			return
		}
		blocks := a.Lock == plan.LockShared || a.Lock == plan.LockExclusive
		if !blocks && !a.Rebuild {
			return
		}
		f := at(pm, sp)
		what := "rebuilds"
		if blocks {
			what = "blocks writes to"
		}
		f.Message = fmt.Sprintf("%s %s %s (%d rows) with ALGORITHM=%s, LOCK=%s", op0(sp), what, sp.Table.Name, sp.Table.Rows, a.Algorithm, a.Lock)
		if sp.Estimate != nil && sp.Estimate.Seconds > 0 {
			f.Message += fmt.Sprintf(" for about %.0f s", sp.Estimate.Seconds)
		}
		if !blocks {
			f.Severity = plan.SevWarning // online rebuild: writes flow, but it takes long and needs temp space
		}
		f.Recommendation = "split the change so the rebuild is alone and scheduled; add ALGORITHM=INPLACE, LOCK=NONE so the server refuses instead of blocking; " +
			"or run it with an online schema change tool (gh-ost, pt-online-schema-change, spirit), which copies in the background and swaps with a short lock"
		out = append(out, f)
	})
	return out
}

func op0(sp *plan.StatementPlan) string {
	if len(sp.Ops) == 0 {
		return "the statement"
	}
	return sp.Ops[0].Class
}

// Options: rehearse.yaml's rules: RH101: {large_table_rows: N}.
func (rh101) Options() []string { return []string{"large_table_rows"} }
