package rules

import (
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh107 flags pending migrations without a down migration, or with one that
// holds no statement.
type rh107 struct{ base }

func init() {
	register(rh107{of(codes.NoDown)})
}

func (r rh107) Check(c *plan.RuleContext) []plan.Finding {
	var out []plan.Finding
	for i, m := range c.Pending {
		pm := &c.Plan.Pending[i]
		if m.Repeatable || m.Up.Empty() {
			continue
		}
		f := plan.Finding{Migration: pm.Key, File: m.Up.File, Line: m.Up.Line}
		switch {
		case m.Down == nil:
			f.Message = "no down migration: a rollback of this release cannot undo it"
			if mf, err := migrations.Lookup(m.Format); err == nil {
				if ir, ok := mf.(migrations.Irreversible); ok {
					f.Message = ir.NoDowns() + ": a rollback of this release cannot undo it (irreversible)"
				}
			}
		case m.Down.Empty():
			f.Message = "the down migration holds no statement: a rollback records it as undone while the schema keeps the change"
			f.File, f.Line = m.Down.File, m.Down.Line
		default:
			continue
		}
		f.Recommendation = "write the down migration, or say in it why the change cannot be undone and how to recover (restore from backup, forward fix)"
		out = append(out, f)
	}
	return out
}
