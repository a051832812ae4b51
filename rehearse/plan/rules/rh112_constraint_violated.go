package rules

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/snapshot"
)

// rh112 flags a constraint the release adds that production's rows
// violate, from the snapshot's statistics; the schema-only sandbox, holding
// no rows, cannot see it, and the ALTER fails in production whatever the
// tables' sizes (verdicts cases foreign-key-orphans and
// check-constraint-violated, verified on MariaDB 10.11 and MySQL 9.7):
//   - a foreign key over values the referenced table lacks: the child
//     column's sampled extremes (values that exist) lie outside the
//     referenced column's extremes over all of its rows, or the referenced
//     table is empty (1452, with foreign_key_checks on);
//   - a CHECK (column < <= > >= number) that a sampled extreme violates
//     (MySQL 3819, MariaDB 4025).
type rh112 struct{ base }

func init() {
	register(rh112{of(codes.ConstraintViolated)})
}

func (r rh112) Check(c *plan.RuleContext) []plan.Finding {
	var out []plan.Finding
	var seen changes
	statements(c.Plan, func(pm *plan.PendingMigration, sp *plan.StatementPlan) {
		defer seen.record(pm, sp)
		if sp.Table == nil || sp.Table.New || sp.Table.Missing {
			return
		}
		for _, op := range sp.Ops {
			if op.Class == plan.OpAddCheck && op.Bound != nil {
				if f, ok := checkViolated(c, pm, sp, op.Bound, seen.staleFor(sp, op.Bound.Column)); ok {
					out = append(out, f)
				}
				continue
			}
			ref := op.Ref
			if op.Class != plan.OpAddForeignKey || ref == nil || len(ref.Columns) != 1 || len(ref.RefColumns) != 1 {
				continue
			}
			schema := ref.Schema
			if schema == "" {
				schema = sp.Table.Schema
			}
			child := c.Snapshot.Table(sp.Table.Schema, sp.Table.Name)
			parent := c.Snapshot.Table(schema, ref.Table)
			if child == nil || parent == nil {
				continue // created by the release: the statistics do not describe it
			}
			if seen.staleFor(sp, ref.Columns[0]) != "" || seen.unknown != "" || seen.rows[strings.ToLower(ref.Table)] != "" {
				continue // an earlier statement may have fixed the rows
			}
			detail, exact := orphans(child, ref.Columns[0], parent, ref.RefColumns[0])
			if detail == "" {
				continue
			}
			f := at(pm, sp)
			quality := "Exact evidence: those rows existed when the snapshot was taken"
			if !exact {
				quality = "An estimate, not proof (the referenced table's row count is an estimate: snapshot --exact-counts)"
				f.Severity = plan.SevWarning
			}
			f.Message = fmt.Sprintf("foreign key %s.%s -> %s.%s: %s. %s; the ALTER fails with 1452 in production (foreign_key_checks is on), whatever the tables' sizes (the schema-only sandbox holds no rows and cannot see it)",
				sp.Table.Name, ref.Columns[0], ref.Table, ref.RefColumns[0], detail, quality)
			f.Recommendation = fmt.Sprintf("list them on production with `SELECT c.%[1]s, COUNT(*) FROM %[2]s c LEFT JOIN %[3]s p ON p.%[4]s = c.%[1]s WHERE p.%[4]s IS NULL AND c.%[1]s IS NOT NULL GROUP BY c.%[1]s LIMIT 20`, and delete or fix them in an earlier migration",
				quote(ref.Columns[0]), quote(sp.Table.Name), quote(ref.Table), quote(ref.RefColumns[0]))
			out = append(out, f)
		}
	})
	return out
}

func quote(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// orphans says which child values the parent cannot hold ("" when the
// statistics cannot prove any), and whether the parent's extremes are
// exact (its statistics sampled every row of an exact count).
func orphans(child *snapshot.Table, col string, parent *snapshot.Table, refCol string) (string, bool) {
	cc, pc := child.Column(col), parent.Column(refCol)
	if cc == nil || pc == nil || cc.Stats == nil || cc.Stats.SampleRows == 0 || cc.Stats.NullFraction >= 1 {
		return "", false
	}
	exact := parent.Stats.ExactRows != nil
	rows := parent.Stats.RowCount()
	if rows == 0 {
		return fmt.Sprintf("%s holds non-null values and %s is empty", col, parent.Name), exact
	}
	ps := pc.Stats
	if ps == nil || ps.SampleRows < rows || ps.Min == nil || ps.Max == nil || cc.Stats.Min == nil || cc.Stats.Max == nil {
		return "", false // the parent's extremes are a sample's: a child value beyond them may still exist there
	}
	cmin, ok1 := new(big.Float).SetString(*cc.Stats.Min)
	cmax, ok2 := new(big.Float).SetString(*cc.Stats.Max)
	pmin, ok3 := new(big.Float).SetString(*ps.Min)
	pmax, ok4 := new(big.Float).SetString(*ps.Max)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return "", false // numbers only (temporal keys are rare; strings carry no extremes)
	}
	switch {
	case cmax.Cmp(pmax) > 0:
		return fmt.Sprintf("%s.%s reaches %s (statistics), %s.%s stops at %s over all its %d rows", child.Name, col, *cc.Stats.Max, parent.Name, refCol, *ps.Max, rows), exact
	case cmin.Cmp(pmin) < 0:
		return fmt.Sprintf("%s.%s goes down to %s (statistics), %s.%s starts at %s over all its %d rows", child.Name, col, *cc.Stats.Min, parent.Name, refCol, *ps.Min, rows), exact
	}
	return "", false
}

// checkViolated: a sampled extreme of the column (a value a row holds)
// fails the CHECK.
func checkViolated(c *plan.RuleContext, pm *plan.PendingMigration, sp *plan.StatementPlan, b *plan.Bound, stale string) (plan.Finding, bool) {
	t := c.Snapshot.Table(sp.Table.Schema, sp.Table.Name)
	if t == nil || stale != "" {
		return plan.Finding{}, false
	}
	col := t.Column(b.Column)
	if col == nil || col.Stats == nil || col.Stats.SampleRows == 0 {
		return plan.Finding{}, false
	}
	limit, ok := new(big.Float).SetString(b.Value)
	if !ok {
		return plan.Finding{}, false
	}
	for _, v := range []*string{col.Stats.Min, col.Stats.Max} {
		if v == nil {
			continue
		}
		x, ok := new(big.Float).SetString(*v)
		if !ok {
			continue
		}
		cmp := x.Cmp(limit)
		holds := map[string]bool{"<": cmp < 0, "<=": cmp <= 0, ">": cmp > 0, ">=": cmp >= 0}[b.Op]
		if holds {
			continue
		}
		f := at(pm, sp)
		f.Message = fmt.Sprintf("CHECK (%s %s %s) on %s: a row holds %s = %s (statistics), which fails it. Exact evidence: that row existed when the snapshot was taken; the ALTER fails in production (3819 on MySQL, 4025 on MariaDB), whatever the table's size (the schema-only sandbox holds no rows and cannot see it)",
			b.Column, b.Op, b.Value, sp.Table.Name, b.Column, *v)
		f.Recommendation = fmt.Sprintf("list them on production with `SELECT * FROM %s WHERE NOT (%s %s %s) LIMIT 20`, and fix them in an earlier migration (or loosen the CHECK)",
			quote(sp.Table.Name), quote(b.Column), b.Op, b.Value)
		return f, true
	}
	return plan.Finding{}, false
}
