package rules

import (
	"fmt"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh103 flags changes that lose data: dropping a table or column, narrowing
// a type, removing ENUM values, converting a character set, TRUNCATE.
type rh103 struct{ base }

func init() {
	register(rh103{of(codes.Destructive)})
}

func (r rh103) Check(c *plan.RuleContext) []plan.Finding {
	var out []plan.Finding
	statements(c.Plan, func(pm *plan.PendingMigration, sp *plan.StatementPlan) {
		if sp.Table != nil && sp.Table.New {
			return
		}
		for _, op := range sp.Ops {
			if !plan.IsDestructive(op.Class) {
				continue
			}
			f := at(pm, sp)
			f.Message = fmt.Sprintf("%s %s %s: data is lost and the down migration cannot bring it back", op.Class, op.Object, op.Detail)
			f.Recommendation = "keep the data for a release (rename instead of drop, or copy it aside), and make sure a backup exists from just before the release"
			out = append(out, f)
		}
	})
	return out
}
