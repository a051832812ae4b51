package rules

import (
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh108 checks statically that a down migration undoes what its up does:
// a created table is dropped, an added column or index is dropped again.
// It only speaks where it can tell (tables, columns, indexes by name).
type rh108 struct{ base }

func init() {
	register(rh108{of(codes.DownNotInverse)})
}

// undo is the op class that reverses an up op.
var undo = map[string]string{
	plan.OpCreateTable: plan.OpDropTable,
	plan.OpAddColumn:   plan.OpDropColumn,
	plan.OpAddIndex:    plan.OpDropIndex,
	plan.OpAddUnique:   plan.OpDropIndex,
	plan.OpAddFulltext: plan.OpDropIndex,
}

func (r rh108) Check(c *plan.RuleContext) []plan.Finding {
	var out []plan.Finding
	for i := range c.Plan.Pending {
		pm := &c.Plan.Pending[i]
		if pm.Down == nil || pm.Down.Statements == 0 {
			continue // RH107's business
		}
		have := map[string]bool{}
		for _, op := range pm.Down.Ops {
			have[op.Class+"/"+strings.ToLower(op.Object)] = true
		}
		var missing []string
		statements(&plan.Plan{Pending: []plan.PendingMigration{*pm}}, func(_ *plan.PendingMigration, sp *plan.StatementPlan) {
			for _, op := range sp.Ops {
				u, ok := undo[op.Class]
				if !ok || op.Object == "" {
					continue
				}
				if !have[u+"/"+strings.ToLower(op.Object)] && !(u == plan.OpDropColumn && sp.Table != nil && have[plan.OpDropTable+"/"+strings.ToLower(sp.Table.Name)]) {
					missing = append(missing, fmt.Sprintf("%s %s", op.Class, op.Object))
				}
			}
		})
		if len(missing) == 0 {
			continue
		}
		f := plan.Finding{Migration: pm.Key, File: pm.Down.File, Line: pm.Down.Line}
		f.Message = fmt.Sprintf("the down migration does not undo: %s", strings.Join(dedupe(missing), ", "))
		f.Recommendation = "make the down drop what the up creates, or rehearse the rollback (`rehearse run` compares the schema after the down with the one before the up)"
		out = append(out, f)
	}
	return out
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
