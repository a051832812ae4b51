package rules

import (
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh106 flags migrations mixing DDL and DML: the DML runs in a transaction
// the DDL implicitly commits, and a data backfill on a large table holds
// row locks for its whole duration.
type rh106 struct{ base }

func init() {
	register(rh106{of(codes.DDLAndDML)})
}

func (r rh106) Check(c *plan.RuleContext) []plan.Finding {
	var out []plan.Finding
	for i := range c.Plan.Pending {
		pm := &c.Plan.Pending[i]
		ddl, dml := -1, -1
		for j, sp := range pm.Statements {
			if countsAsDDL(sp) && ddl < 0 {
				ddl = j
			}
			if sp.Kind == "dml" && dml < 0 {
				dml = j
			}
		}
		if ddl < 0 || dml < 0 {
			continue
		}
		f := at(pm, &pm.Statements[dml])
		f.Message = "DDL and DML in one migration: each DDL commits the open transaction, so the data change cannot be rolled back with the schema change, and a failure leaves both half-done"
		f.Recommendation = "put schema changes and data backfills in separate migrations; batch large backfills"
		out = append(out, f)
	}
	return out
}
