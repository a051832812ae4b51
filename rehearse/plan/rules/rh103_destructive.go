package rules

import (
	"fmt"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh103 flags changes that lose data: dropping a table or column, TRUNCATE
// (whatever the values), and a change that narrows a column (a shorter
// string, a smaller range, fewer digits, a character set lacking
// characters, removed members), in the up or in the down, saying what
// happens to values that do not fit. A widening (latin1 or utf8mb3 to
// utf8mb4, a longer VARCHAR) loses nothing and is not reported. Where the
// statistics prove values do not fit, RH111 reports it instead.
type rh103 struct{ base }

func init() {
	register(rh103{of(codes.Destructive)})
}

func (r rh103) Check(c *plan.RuleContext) []plan.Finding {
	var out []plan.Finding
	strict := strictSnapshot(c)
	var seen changes
	statements(c.Plan, func(pm *plan.PendingMigration, sp *plan.StatementPlan) {
		defer seen.record(pm, sp)
		if sp.Table != nil && sp.Table.New {
			return
		}
		for _, op := range sp.Ops {
			switch {
			case plan.IsDestructive(op.Class):
				f := at(pm, sp)
				f.Message = fmt.Sprintf("%s %s %s: data is lost and the down migration cannot bring it back", op.Class, op.Object, op.Detail)
				f.Recommendation = "keep the data for a release (rename instead of drop, or copy it aside), and make sure a backup exists from just before the release"
				out = append(out, f)
			case op.Narrowing != nil:
				n := op.Narrowing
				if n.Over != "" && seen.staleFor(sp, op.Object) == "" {
					continue // proven: RH111
				}
				f := at(pm, sp)
				f.Message = fmt.Sprintf("%s %s (%s -> %s): %s; %s", op.Class, op.Object, n.From, n.To, whatHappens(n, strict), evidence(n, seen.staleFor(sp, op.Object)))
				f.Recommendation = "check production's values first (the longest, the extremes), fix the ones that do not fit in an earlier migration, and keep a backup from just before the release"
				out = append(out, f)
			}
		}
	})
	// Downs: rolling back narrows what the release widened; values written
	// after the release may not fit.
	for i := range c.Plan.Pending {
		pm := &c.Plan.Pending[i]
		if pm.Down == nil {
			continue
		}
		for _, op := range pm.Down.Ops {
			if op.Narrowing == nil {
				continue
			}
			n := op.Narrowing
			f := plan.Finding{Migration: pm.Key, File: pm.Down.File, Line: pm.Down.Line}
			f.Message = fmt.Sprintf("the down narrows %s (%s -> %s): values written after the release that do not fit (%s) %s",
				op.Object, n.From, n.To, n.Kind, whatHappensShort(n, strict))
			f.Recommendation = "make the rollback safe for the data the release lets in (keep the wider definition in the down, or check the values before rolling back)"
			out = append(out, f)
		}
	}
	return out
}

// whatHappens says what the server does to values that do not fit
// (verified by hand on MariaDB 10.11 and MySQL 9.7).
func whatHappens(n *plan.Narrowing, strict bool) string {
	return "values that do not fit (" + n.Kind + ") " + whatHappensShort(n, strict)
}

func whatHappensShort(n *plan.Narrowing, strict bool) string {
	switch {
	case n.Silent:
		return "are rounded or cut silently in every sql_mode: the data changes and the down cannot bring it back"
	case strict && n.Kind == "length":
		// The servers answer 1265 (Data truncated) or 1406 (Data too long)
		// depending on the types: VARCHAR(20) to VARCHAR(5) gave 1265,
		// VARCHAR(200) to VARCHAR(20) and TEXT to VARCHAR 1406, on both.
		return "make the ALTER fail (1406 Data too long, or 1265 Data truncated) under production's strict sql_mode"
	case strict && n.Kind == "NULLs":
		return "make the ALTER fail (1138 Invalid use of NULL value on MySQL, 1265 Data truncated on MariaDB) under production's strict sql_mode"
	case strict:
		return fmt.Sprintf("make the ALTER fail with %d under production's strict sql_mode", n.Error)
	}
	cut := "cut"
	switch n.Kind {
	case "range", "integer digits":
		cut = "clamped to the nearest value it holds"
	case "characters":
		cut = "replaced by '?'"
	case "members":
		cut = "replaced by ''"
	case "NULLs":
		cut = "replaced by the type's implicit default ('', 0)"
	}
	return "are " + cut + " silently under production's sql_mode (not strict): data lost, and the down cannot bring it back"
}

func evidence(n *plan.Narrowing, stale string) string {
	switch {
	case n.Over != "":
		return "the statistics showed " + n.Over + ", but they predate " + stale + ", which may have fixed the values"
	case n.Unknown != "":
		return n.Unknown
	}
	return "the snapshot's sampled values fit (the rest of the table was not read)"
}
