package snapshot

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // literal values for the parser

	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/snapshot/history"
)

// LoadPending reads the migrations folder dir (format "" = detect) and
// returns, for each side ("A" for a, "B" for b), the migrations the side's
// history does not record, with what their up statements create, for
// DiffOptions.Pending.
func LoadPending(ctx context.Context, mo migrations.Options, a, b *Snapshot) ([]PendingCheck, *migrations.Set, error) {
	set, err := migrations.Load(ctx, mo)
	if err != nil {
		return nil, nil, err
	}
	f, err := migrations.Lookup(set.Format)
	if err != nil {
		return nil, nil, err
	}
	effects := make([][]Effect, len(set.Migrations))
	for i := range set.Migrations {
		effects[i] = upEffects(&set.Migrations[i])
	}
	var out []PendingCheck
	for _, s := range []struct {
		name string
		snap *Snapshot
	}{{"A", a}, {"B", b}} {
		h := historyFor(s.snap, set.Format)
		if h == nil {
			continue
		}
		applied := appliedKeys(h, f, set)
		var newest *migrations.Migration
		for i := range set.Migrations {
			m := &set.Migrations[i]
			if applied[m.Key] && !m.Repeatable && (newest == nil || f.Less(newest, m)) {
				newest = m
			}
		}
		for i := range set.Migrations {
			m := &set.Migrations[i]
			if applied[m.Key] || m.Repeatable {
				continue
			}
			pc := PendingCheck{Side: s.name, Runner: h.Runner, Version: m.Key, File: m.Up.File, Effects: effects[i]}
			if newest != nil && f.Less(m, newest) {
				pc.BelowNewest = newest.Key
			}
			out = append(out, pc)
		}
	}
	return out, set, nil
}

// historyFor finds the history the migrations' format writes (Mattermost's
// morph reads golang-migrate-style files).
func historyFor(s *Snapshot, format string) *History {
	for i := range s.History {
		if f, err := migrations.Lookup(format); err == nil && f.History().Records(s.History[i].Runner) {
			return &s.History[i]
		}
	}
	return nil
}

// appliedKeys maps a history to the migration keys it records. golang-migrate
// keeps only its current version: every migration up to it is applied
// (the current one only when not dirty).
func appliedKeys(h *History, f migrations.Format, set *migrations.Set) map[string]bool {
	out := map[string]bool{}
	if history.Cumulative(h.Runner) {
		if len(h.Entries) == 0 {
			return out
		}
		last := h.Entries[len(h.Entries)-1]
		cur := f.HistoryKey(last.Version, "")
		for _, m := range set.Migrations {
			if c := migrations.CompareVersions(m.Key, cur); c < 0 || (c == 0 && !last.Dirty) {
				out[m.Key] = true
			}
		}
		return out
	}
	for _, e := range h.Entries {
		if !e.Failed {
			out[f.HistoryKey(e.Version, e.Name)] = true
		}
	}
	return out
}

var (
	routineNameRe = regexp.MustCompile("(?is)^CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:DEFINER\\s*=\\s*\\S+\\s+)?(PROCEDURE|FUNCTION|TRIGGER)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:`?\\w+`?\\.)?`?(\\w+)`?")
	harmlessRe    = regexp.MustCompile(`(?is)^(SET|START\s+TRANSACTION|BEGIN|COMMIT|ROLLBACK|USE|DROP\s+(PROCEDURE|FUNCTION|TRIGGER)\s+IF\s+EXISTS)\b`)
)

// upEffects returns the objects a migration's up statements create. It
// returns nil when any statement is one it cannot account for (a data
// change, a CALL, a statement the parser does not read): no verdict then.
func upEffects(m *migrations.Migration) []Effect {
	p := parser.New()
	var out []Effect
	for _, st := range m.Up.Statements {
		text := strings.TrimSpace(st.Text)
		if harmlessRe.MatchString(text) {
			continue
		}
		if mm := routineNameRe.FindStringSubmatch(text); mm != nil {
			kind := "routine"
			if strings.EqualFold(mm[1], "TRIGGER") {
				kind = "trigger"
			}
			out = append(out, Effect{Kind: kind, Name: mm[2]})
			continue
		}
		nodes, _, err := p.Parse(text, "", "")
		if err != nil || len(nodes) != 1 {
			return nil
		}
		es, ok := nodeEffects(nodes[0])
		if !ok {
			return nil
		}
		out = append(out, es...)
	}
	return out
}

func nodeEffects(n ast.StmtNode) ([]Effect, bool) {
	switch s := n.(type) {
	case *ast.CreateTableStmt:
		return []Effect{{Kind: "table", Schema: s.Table.Schema.O, Table: s.Table.Name.O}}, true
	case *ast.CreateIndexStmt:
		return []Effect{{Kind: "index", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: s.IndexName}}, true
	case *ast.CreateViewStmt:
		return []Effect{{Kind: "view", Schema: s.ViewName.Schema.O, Name: s.ViewName.Name.O}}, true
	case *ast.DropTableStmt:
		if s.IsView {
			return nil, false
		}
		var out []Effect
		for _, t := range s.Tables {
			out = append(out, Effect{Kind: "table", Schema: t.Schema.O, Table: t.Name.O, Absent: true})
		}
		return out, true
	case *ast.DropIndexStmt:
		return []Effect{{Kind: "index", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: s.IndexName, Absent: true}}, true
	case *ast.AlterTableStmt:
		var out []Effect
		for _, spec := range s.Specs {
			switch spec.Tp {
			case ast.AlterTableAddColumns:
				for _, c := range spec.NewColumns {
					out = append(out, Effect{Kind: "column", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: c.Name.Name.O})
				}
			case ast.AlterTableDropColumn:
				out = append(out, Effect{Kind: "column", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: spec.OldColumnName.Name.O, Absent: true})
			case ast.AlterTableDropIndex:
				out = append(out, Effect{Kind: "index", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: spec.Name, Absent: true})
			case ast.AlterTableAddConstraint:
				if spec.Constraint != nil && spec.Constraint.Name != "" && spec.Constraint.Tp != ast.ConstraintForeignKey && spec.Constraint.Tp != ast.ConstraintCheck {
					out = append(out, Effect{Kind: "index", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: spec.Constraint.Name})
				}
			default:
				return nil, false // modifies or drops: presence says nothing
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}

// PendingSummary is a one-line account of LoadPending's outcome for notes.
func PendingSummary(set *migrations.Set, checks []PendingCheck) string {
	n := map[string]int{}
	for _, c := range checks {
		n[c.Side]++
	}
	return fmt.Sprintf("%d %s migrations in %s: %d pending in A, %d pending in B", len(set.Migrations), set.Format, set.Dir, n["A"], n["B"])
}
