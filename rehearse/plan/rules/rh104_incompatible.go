package rules

import (
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh104 flags changes the previous application version cannot live with
// (it still runs while the release rolls out, and again after a rollback):
// dropping or renaming a column or table, a NOT NULL column without a
// default, removing ENUM values.
type rh104 struct{ base }

func init() {
	register(rh104{of(codes.Incompatible)})
}

func (r rh104) Check(c *plan.RuleContext) []plan.Finding {
	var out []plan.Finding
	statements(c.Plan, func(pm *plan.PendingMigration, sp *plan.StatementPlan) {
		if sp.Table != nil && sp.Table.New {
			return
		}
		for _, op := range sp.Ops {
			why := ""
			switch {
			case plan.IsIncompatible(op.Class):
				why = "the previous version's queries still name it"
			case op.Class == plan.OpAddColumn && strings.Contains(op.Detail, "NOT NULL without DEFAULT"):
				why = "the previous version's INSERTs do not set it and fail in strict mode"
			case op.Class == plan.OpMakeNotNull:
				why = "the previous version may still write NULL into it"
			default:
				continue
			}
			f := at(pm, sp)
			f.Message = fmt.Sprintf("%s %s: %s", op.Class, op.Object, why)
			f.Recommendation = "expand then contract: add the new shape in this release, switch the code, and remove the old shape one release later"
			out = append(out, f)
		}
	})
	return out
}
