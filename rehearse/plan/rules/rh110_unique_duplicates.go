package rules

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh110 flags a unique index or primary key added over values production
// already holds twice (or, for a primary key, NULL), from the snapshot's
// statistics: the build fails with 1062 whatever the table's size, and
// the schema-only sandbox, holding no rows, cannot see it.
type rh110 struct{ base }

func init() {
	register(rh110{of(codes.UniqueDuplicates)})
}

var alterIgnore = regexp.MustCompile(`(?is)^\s*ALTER\s+(ONLINE\s+)?IGNORE\b`)

func (r rh110) Check(c *plan.RuleContext) []plan.Finding {
	var out []plan.Finding
	strict := strictSnapshot(c)
	var seen changes
	statements(c.Plan, func(pm *plan.PendingMigration, sp *plan.StatementPlan) {
		defer seen.record(pm, sp)
		if sp.Table == nil || sp.Table.New || sp.Table.Missing {
			return
		}
		t := c.Snapshot.Table(sp.Table.Schema, sp.Table.Name)
		for _, op := range sp.Ops {
			if (op.Class != plan.OpAddUnique && op.Class != plan.OpAddPrimaryKey) || len(op.Key) == 0 {
				continue
			}
			primary := op.Class == plan.OpAddPrimaryKey
			ev := plan.UniqueKeyEvidence(t, op.Key, primary)
			if ev.Verdict != plan.EvidenceDuplicates && ev.Verdict != plan.EvidenceNulls && ev.Verdict != plan.EvidenceLikely {
				continue
			}
			f := at(pm, sp)
			what := "a unique key"
			if primary {
				what = "a primary key"
			}
			fails := "the build fails with 1062 (Duplicate entry) in production, whatever the table's size"
			if ev.Verdict == plan.EvidenceNulls {
				fails = "the build fails in production (1138 Invalid use of NULL value on MySQL, 1265 Data truncated on MariaDB), whatever the table's size"
				if !strict {
					fails = "production's sql_mode is not strict: the NULLs silently become 0 or '', and the build fails with 1062 if two rows end up alike"
				}
			}
			quality := "Exact evidence: those rows existed when the snapshot was taken"
			switch {
			case !ev.Exact:
				quality = "An estimate, not proof"
			case seen.stale(sp, op) != "":
				quality = "The statistics predate " + seen.stale(sp, op) + ", which may have changed the rows: not proof"
			}
			f.Message = fmt.Sprintf("%s on %s: %s. %s; %s (the schema-only sandbox holds no rows and cannot see it)", what, sp.Table.Name, ev.Detail, quality, fails)
			f.Recommendation = "list them on production with `" + ev.Query + "`, and clean them up in an earlier migration (or keep the index non-unique)"
			if ev.Query == "" {
				f.Recommendation = "check production's rows first, and clean them up in an earlier migration"
			}
			switch {
			case !ev.Exact || seen.stale(sp, op) != "" || (ev.Verdict == plan.EvidenceNulls && !strict):
				f.Severity = plan.SevWarning
			case alterIgnore.MatchString(sp.SQL):
				f.Severity = plan.SevWarning
				f.Message = fmt.Sprintf("%s on %s: %s. ALTER IGNORE does not fail: it deletes every duplicate row but one, silently (data loss the down cannot undo)", what, sp.Table.Name, ev.Detail)
				f.Recommendation = "decide which rows to keep in an earlier migration; list them with `" + ev.Query + "`"
			}
			out = append(out, f)
		}
	})
	return out
}

// strictSnapshot: production's sql_mode is strict (a snapshot without it:
// the servers' default, strict since MySQL 5.7 and MariaDB 10.2.4).
func strictSnapshot(c *plan.RuleContext) bool {
	m, ok := c.Snapshot.Settings["sql_mode"]
	return !ok || strictMode(m)
}

func strictMode(sqlMode string) bool {
	m := strings.ToUpper(sqlMode)
	return strings.Contains(m, "STRICT_TRANS_TABLES") || strings.Contains(m, "STRICT_ALL_TABLES")
}

// changes are what the release's earlier statements did to rows and
// columns: after them, the snapshot's statistics no longer describe the
// data (a migration that deletes the duplicates before it adds the key).
type changes struct {
	rows    map[string]string // table -> the statement that changed its rows
	cols    map[string]string // table.column -> the statement that changed its values
	unknown string            // a statement that may change anything (not analysed, CALL)
}

var valueChanging = map[string]bool{plan.OpChangeType: true, plan.OpNarrowType: true, plan.OpColumnCharset: true,
	plan.OpChangeCollation: true, plan.OpChangeCollationIndexed: true, plan.OpChangeEnumCollation: true,
	plan.OpDropColumn: true, plan.OpRenameColumn: true, plan.OpAddColumn: true, plan.OpEnumRemove: true, plan.OpMakeNotNull: true}

var tableChanging = map[string]bool{plan.OpConvertCharset: true, plan.OpDropTable: true, plan.OpTruncate: true,
	plan.OpRenameTable: true, plan.OpCreateTable: true, plan.OpInsert: true, plan.OpUpdate: true, plan.OpDelete: true}

func (s *changes) record(pm *plan.PendingMigration, sp *plan.StatementPlan) {
	if s.rows == nil {
		s.rows, s.cols = map[string]string{}, map[string]string{}
	}
	where := fmt.Sprintf("%s:%d", filepath.Base(sp.File), sp.Line)
	if !sp.Analysed {
		s.unknown = where + " (not analysed)"
		return
	}
	if sp.Table == nil {
		for _, op := range sp.Ops {
			if op.Class == plan.OpCall || plan.IsDML(op.Class) {
				s.unknown = where + " (" + op.Class + ")"
			}
		}
		return
	}
	t := strings.ToLower(sp.Table.Name)
	for _, op := range sp.Ops {
		switch {
		case tableChanging[op.Class]:
			s.rows[t] = where + " (" + op.Class + " " + sp.Table.Name + ")"
		case valueChanging[op.Class] && op.Object != "":
			s.cols[t+"."+strings.ToLower(op.Object)] = where + " (" + op.Class + " " + op.Object + ")"
		case op.Class == plan.OpCall:
			s.unknown = where + " (call)"
		}
	}
}

// staleFor names the earlier statement (or a change in this statement to
// another aspect of the column) after which the snapshot's statistics may
// not describe column col of sp's table, or "".
func (s *changes) staleFor(sp *plan.StatementPlan, col string) string {
	if s.unknown != "" {
		return s.unknown
	}
	if sp.Table == nil {
		return ""
	}
	t := strings.ToLower(sp.Table.Name)
	if w := s.rows[t]; w != "" {
		return w
	}
	return s.cols[t+"."+strings.ToLower(col)]
}

// stale names the earlier statement (or a change in this one) after which
// the snapshot's statistics may not describe key's rows, or "".
func (s *changes) stale(sp *plan.StatementPlan, key plan.Op) string {
	if s.unknown != "" {
		return s.unknown
	}
	t := strings.ToLower(sp.Table.Name)
	if w := s.rows[t]; w != "" {
		return w
	}
	for _, p := range key.Key {
		col := strings.ToLower(p.Column)
		if w := s.cols[t+"."+col]; w != "" {
			return w
		}
		for _, op := range sp.Ops { // the same ALTER changes the column's type or collation
			if valueChanging[op.Class] && strings.EqualFold(op.Object, p.Column) {
				return "this statement's " + op.Class + " " + op.Object
			}
		}
	}
	return ""
}
