package run

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// judgeDown gives m's down its verdict. The schema after the down is
// compared with the schema before m's up, net of the differences that were
// already there when the down started (the newer downs left them: they are
// theirs, not m's). Independently of the schema, the data m's up removed
// is lost whatever the down re-creates: a dropped column's values, a
// dropped table's rows, values a narrowed type cut (dataLoss).
func (f *forward) judgeDown(m *migrations.Migration, preDown, postDown *schemaState, mr *result.MigrationRollback) {
	diffs := netDiff(f.before[m.Version], postDown, f.after[m.Version], preDown)
	lost, atRisk := f.dataLoss(m, postDown)
	mr.AtRisk = atRisk
	switch {
	case len(lost) > 0:
		mr.Verdict = "data_lost"
		mr.Detail = lost
		for _, d := range diffs {
			mr.Detail = append(mr.Detail, "the schema differs too: "+d)
		}
	case len(diffs) > 0:
		mr.Verdict = "differences"
		mr.Detail = diffs
	default:
		mr.Verdict = "restores"
	}
}

// dataLoss lists what m's up removed that no down brings back (lost), and
// what it may have removed when the statistics cannot tell (atRisk):
//
//   - a table the up dropped (not renamed) that held rows: its rows are gone,
//     whether the down re-creates it or not;
//   - a column the up dropped (not renamed) that held values (statistics:
//     not all NULL): its values are gone; a down that re-adds it fills it
//     with its default;
//   - a column the up narrowed (the plan's Op.Narrowing): the values
//     that did not fit were cut, and widening it back does not restore
//     them. The snapshot's statistics decide (string lengths, integer
//     ranges, the digits of min and max); where they cannot (decimal places
//     and fractional seconds below the extremes, character sets, no
//     statistics), the column is at risk, with the server's notes when the
//     rehearsal's own values were cut.
//
// A rename is told from a drop by the plan's operations (rename-column,
// rename-table); where the plan did not analyse every statement of the up,
// by the schema: a column (table) of the same type (columns) that appeared.
func (f *forward) dataLoss(m *migrations.Migration, postDown *schemaState) (lost, atRisk []string) {
	before, up := f.before[m.Version], f.after[m.Version]
	if before == nil || up == nil {
		return nil, nil
	}
	ops, complete := f.r.upOps(m.Version)
	warnings := f.upWarnings(m)
	for i := range before.Tables {
		t := &before.Tables[i]
		tu := findTable(up, t.Name)
		if tu == nil {
			if renamedTable(t, before, up, ops, complete) {
				continue
			}
			n := f.r.tableRows(t.Name)
			if n == 0 {
				continue // nothing to lose
			}
			msg := fmt.Sprintf("table %s was dropped by the up with its rows (%d in production)", t.Name, n)
			if findTable(postDown, t.Name) != nil {
				msg += "; the down re-creates it empty"
			} else {
				msg += "; the down does not re-create it"
			}
			lost = append(lost, msg)
			continue
		}
		prod := f.r.snapshotTable(t.Name)
		for j := range t.Columns {
			c := &t.Columns[j]
			st := columnStats(prod, c.Name)
			cu := findColumn(tu, c.Name)
			if cu == nil {
				if renamedColumn(c, t, tu, ops, complete) || st != nil && st.NullFraction >= 1 {
					continue
				}
				msg := fmt.Sprintf("column %s.%s was dropped by the up with its values", t.Name, c.Name)
				if ta := findTable(postDown, t.Name); ta != nil && findColumn(ta, c.Name) != nil {
					msg += "; the down re-adds it without them (" + defaultText(findColumn(ta, c.Name)) + " in every row)"
				} else {
					msg += "; the down does not re-add it"
				}
				lost = append(lost, msg)
				continue
			}
			if !ops.narrows(t.Name, cu.Name) {
				continue
			}
			l, r := narrowLoss(t.Name, c, cu, st, warnings[strings.ToLower(c.Name)])
			lost, atRisk = append(lost, l...), append(atRisk, r...)
		}
	}
	lost = append(lost, f.r.downEmpties(m.Version, before)...)
	dl, dr := f.upDeletes(m.Version, before)
	return append(lost, dl...), append(atRisk, dr...)
}

// upDeletes lists the tables that existed before m's up whose rows the
// up's own DELETEs removed in the rehearsal (the statement's rows
// affected): a down cannot bring back values it never saw, whatever the
// schema says after it (verdicts case authelia-consent-subject-null: the
// up deletes identifiers and consent sessions, its down only restores a
// foreign key and a column's nullability). When the down inserts rows it
// may put them back: at risk, not lost.
func (f *forward) upDeletes(version string, before *schemaState) (lost, atRisk []string) {
	r := f.r
	if r.plan == nil {
		return nil, nil
	}
	var pm *plan.PendingMigration
	for i := range r.plan.Pending {
		if r.plan.Pending[i].Version == version {
			pm = &r.plan.Pending[i]
		}
	}
	if pm == nil {
		return nil, nil
	}
	// The down's operations do not say which table an INSERT fills: a
	// down that inserts (or calls a routine) may put the rows back.
	downInserts := false
	if pm.Down != nil {
		for _, op := range pm.Down.Ops {
			downInserts = downInserts || op.Class == plan.OpInsert || op.Class == plan.OpCall
		}
	}
	for _, run := range f.runs {
		if run.dir != "up" || run.mig.Version != version || !run.run || run.res.Err != nil || run.res.RowsAffected <= 0 ||
			run.index < 1 || run.index > len(pm.Statements) {
			continue
		}
		sp := &pm.Statements[run.index-1]
		if sp.Table == nil || !hasDelete(sp.Ops) || findTable(before, sp.Table.Name) == nil {
			continue
		}
		msg := fmt.Sprintf("%d rows of %s were deleted by the up (statement %d, in the rehearsal's data)", run.res.RowsAffected, sp.Table.Name, run.index)
		if downInserts {
			atRisk = append(atRisk, msg+"; the down inserts rows: check that it puts them back")
		} else {
			lost = append(lost, msg+"; the down does not re-insert them")
		}
	}
	return lost, atRisk
}

// hasDelete: ops include a DELETE.
func hasDelete(ops []plan.Op) bool {
	for _, op := range ops {
		if op.Class == plan.OpDelete {
			return true
		}
	}
	return false
}

// downEmpties lists the tables that existed before m's up, held rows in
// production, and that m's own down empties (TRUNCATE): their rows are gone
// whatever the schema says after it (Authelia's V0021 down truncates
// cached_data before narrowing it back; verdicts case
// authelia-cached-value-mediumblob).
func (r *rehearsal) downEmpties(version string, before *schemaState) []string {
	if r.plan == nil {
		return nil
	}
	var out []string
	for i := range r.plan.Pending {
		pm := &r.plan.Pending[i]
		if pm.Version != version || pm.Down == nil {
			continue
		}
		for _, op := range pm.Down.Ops {
			if op.Class != plan.OpTruncate || op.Object == "" || findTable(before, op.Object) == nil {
				continue
			}
			if n := r.tableRows(op.Object); n > 0 {
				out = append(out, fmt.Sprintf("table %s is emptied by the down (TRUNCATE) with its rows (%d in production)", op.Object, n))
			}
		}
	}
	return out
}

// upOps are the plan's operations of a migration's up, by table; complete
// is false when the plan did not analyse every statement (the schema then
// stands in for it).
type upOps map[string][]plan.Op

func (o upOps) has(table, class, object string) bool {
	for _, op := range o[strings.ToLower(table)] {
		if op.Class == class && (object == "" || strings.EqualFold(op.Object, object)) {
			return true
		}
	}
	return false
}

// narrows: an op of the up narrows column object of table (the plan's
// Op.Narrowing: a shorter type, a smaller range, a character set lacking
// characters, removed members; not a widening).
func (o upOps) narrows(table, object string) bool {
	for _, op := range o[strings.ToLower(table)] {
		if op.Narrowing != nil && strings.EqualFold(op.Object, object) {
			return true
		}
	}
	return false
}

func (r *rehearsal) upOps(version string) (upOps, bool) {
	out := upOps{}
	if r.plan == nil {
		return out, false
	}
	for i := range r.plan.Pending {
		pm := &r.plan.Pending[i]
		if pm.Version != version {
			continue
		}
		complete := true
		var add func(sp *plan.StatementPlan)
		add = func(sp *plan.StatementPlan) {
			complete = complete && (sp.Analysed || len(sp.Inner) > 0)
			table := ""
			if sp.Table != nil {
				table = strings.ToLower(sp.Table.Name)
			}
			for _, op := range sp.Ops {
				t := table
				if (op.Class == plan.OpDropTable || op.Class == plan.OpRenameTable) && op.Object != "" {
					t = strings.ToLower(op.Object)
				}
				out[t] = append(out[t], op)
			}
			for k := range sp.Inner {
				add(&sp.Inner[k])
			}
		}
		for k := range pm.Statements {
			add(&pm.Statements[k])
		}
		return out, complete
	}
	return out, false
}

// renamedTable: the up renamed t (the plan says so, or, where the plan is
// incomplete, a new table with t's columns appeared).
func renamedTable(t *snapshot.Table, before, up *schemaState, ops upOps, complete bool) bool {
	if ops.has(t.Name, plan.OpRenameTable, "") {
		return true
	}
	if complete || ops.has(t.Name, plan.OpDropTable, "") {
		return false
	}
	for i := range up.Tables {
		n := &up.Tables[i]
		if findTable(before, n.Name) == nil && sameColumns(t, n) {
			return true
		}
	}
	return false
}

// renamedColumn: the up renamed c (rename-column, or CHANGE old new), or,
// where the plan is incomplete, a new column of c's type appeared in t.
func renamedColumn(c *snapshot.Column, t, tu *snapshot.Table, ops upOps, complete bool) bool {
	if ops.has(t.Name, plan.OpRenameColumn, c.Name) {
		return true
	}
	if complete || ops.has(t.Name, plan.OpDropColumn, c.Name) {
		return false
	}
	for i := range tu.Columns {
		n := &tu.Columns[i]
		if findColumn(t, n.Name) == nil && strings.EqualFold(n.Type, c.Type) {
			return true
		}
	}
	return false
}

func sameColumns(a, b *snapshot.Table) bool {
	if len(a.Columns) != len(b.Columns) {
		return false
	}
	for i := range a.Columns {
		if !strings.EqualFold(a.Columns[i].Name, b.Columns[i].Name) || !strings.EqualFold(a.Columns[i].Type, b.Columns[i].Type) {
			return false
		}
	}
	return true
}

func findColumn(t *snapshot.Table, name string) *snapshot.Column {
	if t == nil {
		return nil
	}
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return &t.Columns[i]
		}
	}
	return nil
}

func columnStats(t *snapshot.Table, name string) *snapshot.ColumnStats {
	if c := findColumn(t, name); c != nil {
		return c.Stats
	}
	return nil
}

func defaultText(c *snapshot.Column) string {
	if c.Default == nil {
		return "NULL"
	}
	return "its default " + *c.Default
}

// snapshotTable is production's table of that name in the migration
// database (nil when the release created it).
func (r *rehearsal) snapshotTable(name string) *snapshot.Table {
	for i := range r.opts.Snapshot.Schemas {
		s := &r.opts.Snapshot.Schemas[i]
		if s.Name != r.snapshotSchema() {
			continue
		}
		for j := range s.Tables {
			if strings.EqualFold(s.Tables[j].Name, name) {
				return &s.Tables[j]
			}
		}
	}
	return nil
}

// tableRows is how many rows production holds in a table (the snapshot's
// count; without one, the rows the rehearsal generated).
func (r *rehearsal) tableRows(name string) int64 {
	if t := r.snapshotTable(name); t != nil && t.Stats.RowCount() > 0 {
		return t.Stats.RowCount()
	}
	return r.report.Inputs.TableRows[r.schema+"."+name]
}

var warnColumnRe = regexp.MustCompile("(?i)column '([^']+)'")

// upWarnings are the server's notes and warnings of m's up statements, by
// the (lower-case) column they name.
func (f *forward) upWarnings(m *migrations.Migration) map[string][]string {
	out := map[string][]string{}
	for _, run := range f.runs {
		if run.mig != m || run.dir != "up" || !run.run {
			continue
		}
		for _, w := range run.res.Warnings {
			if mm := warnColumnRe.FindStringSubmatch(w); mm != nil {
				k := strings.ToLower(mm[1])
				out[k] = append(out[k], fmt.Sprintf("statement %d: %s", run.index, w))
			}
		}
	}
	return out
}

// narrowLoss judges a column the up narrowed from c to cu with production's
// statistics st (plan.NarrowFit: the same judgement `rehearse plan` gives
// in RH103/RH111).
func narrowLoss(table string, c, cu *snapshot.Column, st *snapshot.ColumnStats, warnings []string) (lost, atRisk []string) {
	what := fmt.Sprintf("column %s.%s narrowed by the up from %s to %s", table, c.Name, c.Type, cu.Type)
	n := plan.NarrowFit(c, cu, st)
	switch {
	case n == nil:
		return nil, nil
	case n.Over != "":
		lost = append(lost, fmt.Sprintf("%s: %s; widening it back does not restore them", what, n.Over))
	case n.Unknown != "":
		msg := what + ": " + n.Unknown
		if len(warnings) > 0 {
			msg += "; the rehearsal's own values were cut (" + strings.Join(warnings, "; ") + ")"
		}
		atRisk = append(atRisk, msg)
	}
	return lost, atRisk
}
