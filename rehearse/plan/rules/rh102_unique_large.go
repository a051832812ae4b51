package rules

import (
	"fmt"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh102 flags a unique index built on a large table.
type rh102 struct{ base }

func init() {
	register(rh102{of(codes.UniqueLargeTable)})
}

func (r rh102) Check(c *plan.RuleContext) []plan.Finding {
	large := c.Config.Int("large_table_rows", DefaultLargeRows)
	var out []plan.Finding
	statements(c.Plan, func(pm *plan.PendingMigration, sp *plan.StatementPlan) {
		if sp.Table == nil || sp.Table.Rows < large {
			return
		}
		for _, op := range sp.Ops {
			if op.Class != plan.OpAddUnique && !(op.Class == plan.OpAddPrimaryKey) {
				continue
			}
			// What the statistics prove is RH110's (duplicates, NULLs in a
			// primary key); an existing unique key inside the new one
			// excludes duplicates, now and during the build.
			if len(op.Key) > 0 {
				ev := plan.UniqueKeyEvidence(c.Snapshot.Table(sp.Table.Schema, sp.Table.Name), op.Key, op.Class == plan.OpAddPrimaryKey)
				if ev.Verdict == plan.EvidenceCovered || (ev.Exact && (ev.Verdict == plan.EvidenceDuplicates || ev.Verdict == plan.EvidenceNulls)) {
					continue
				}
			}
			f := at(pm, sp)
			f.Message = fmt.Sprintf("a unique index on %s (%d rows): a duplicate already in production's data fails it after the whole build, and one inserted during the build fails it at the end", sp.Table.Name, sp.Table.Rows)
			f.Recommendation = "check for duplicates in production first (SELECT cols, COUNT(*) ... GROUP BY cols HAVING COUNT(*) > 1), build it at a quiet time, and rehearse it under write load"
			out = append(out, f)
			return
		}
	})
	return out
}

// Options: rehearse.yaml's rules: RH102: {large_table_rows: N}.
func (rh102) Options() []string { return []string{"large_table_rows"} }
