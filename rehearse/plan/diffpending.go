package plan

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // literal values for the parser

	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/snapshot"
)

// LoadPending reads the migrations folder dir (format "" = detect) and
// returns, for each side ("A" for a, "B" for b), the migrations the side's
// history does not record (migrations.AppliedBy, the answer plan and run
// give), with what their up statements create, for
// snapshot.DiffOptions.Pending. A dirty or failed entry is the diff's
// history drift ("recorded as dirty"), not a pending check.
func LoadPending(ctx context.Context, mo migrations.Options, a, b *snapshot.Snapshot) ([]snapshot.PendingCheck, *migrations.Set, error) {
	set, err := migrations.Load(ctx, mo)
	if err != nil {
		return nil, nil, err
	}
	f, err := migrations.Lookup(set.Format)
	if err != nil {
		return nil, nil, err
	}
	effects := make([][]snapshot.Effect, len(set.Migrations))
	for i := range set.Migrations {
		effects[i] = upEffects(&set.Migrations[i])
	}
	var out []snapshot.PendingCheck
	for _, s := range []struct {
		name string
		snap *snapshot.Snapshot
	}{{"A", a}, {"B", b}} {
		h := migrations.HistoryOf(s.snap, set.Format)
		if h == nil {
			continue
		}
		applied := migrations.AppliedBy(set, h).Entries
		var newest *migrations.Migration
		for i := range set.Migrations {
			m := &set.Migrations[i]
			if _, ok := applied[m.Key]; ok && !m.Repeatable && (newest == nil || f.Less(newest, m)) {
				newest = m
			}
		}
		for i := range set.Migrations {
			m := &set.Migrations[i]
			if _, ok := applied[m.Key]; ok || m.Repeatable {
				continue
			}
			pc := snapshot.PendingCheck{Side: s.name, Runner: h.Runner, Version: m.Key, File: m.Up.File, Effects: effects[i]}
			if newest != nil && f.Less(m, newest) {
				pc.BelowNewest = newest.Key
			}
			out = append(out, pc)
		}
	}
	return out, set, nil
}

var (
	routineNameRe = regexp.MustCompile("(?is)^CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:DEFINER\\s*=\\s*\\S+\\s+)?(PROCEDURE|FUNCTION|TRIGGER)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:`?\\w+`?\\.)?`?(\\w+)`?")
	harmlessRe    = regexp.MustCompile(`(?is)^(SET|START\s+TRANSACTION|BEGIN|COMMIT|ROLLBACK|USE|DROP\s+(PROCEDURE|FUNCTION|TRIGGER)\s+IF\s+EXISTS)\b`)
)

// upEffects returns the objects a migration's up statements create. It
// returns nil when any statement is one it cannot account for (a data
// change, a CALL, a statement the parser does not read): no verdict then.
func upEffects(m *migrations.Migration) []snapshot.Effect {
	p := parser.New()
	var out []snapshot.Effect
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
			out = append(out, snapshot.Effect{Kind: kind, Name: mm[2]})
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

func nodeEffects(n ast.StmtNode) ([]snapshot.Effect, bool) {
	switch s := n.(type) {
	case *ast.CreateTableStmt:
		return []snapshot.Effect{{Kind: "table", Schema: s.Table.Schema.O, Table: s.Table.Name.O}}, true
	case *ast.CreateIndexStmt:
		return []snapshot.Effect{{Kind: "index", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: s.IndexName}}, true
	case *ast.CreateViewStmt:
		return []snapshot.Effect{{Kind: "view", Schema: s.ViewName.Schema.O, Name: s.ViewName.Name.O}}, true
	case *ast.DropTableStmt:
		if s.IsView {
			return nil, false
		}
		var out []snapshot.Effect
		for _, t := range s.Tables {
			out = append(out, snapshot.Effect{Kind: "table", Schema: t.Schema.O, Table: t.Name.O, Absent: true})
		}
		return out, true
	case *ast.DropIndexStmt:
		return []snapshot.Effect{{Kind: "index", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: s.IndexName, Absent: true}}, true
	case *ast.AlterTableStmt:
		var out []snapshot.Effect
		for _, spec := range s.Specs {
			switch spec.Tp {
			case ast.AlterTableAddColumns:
				for _, c := range spec.NewColumns {
					out = append(out, snapshot.Effect{Kind: "column", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: c.Name.Name.O})
				}
			case ast.AlterTableDropColumn:
				out = append(out, snapshot.Effect{Kind: "column", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: spec.OldColumnName.Name.O, Absent: true})
			case ast.AlterTableDropIndex:
				out = append(out, snapshot.Effect{Kind: "index", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: spec.Name, Absent: true})
			case ast.AlterTableAddConstraint:
				if spec.Constraint != nil && spec.Constraint.Name != "" && spec.Constraint.Tp != ast.ConstraintForeignKey && spec.Constraint.Tp != ast.ConstraintCheck {
					out = append(out, snapshot.Effect{Kind: "index", Schema: s.Table.Schema.O, Table: s.Table.Name.O, Name: spec.Constraint.Name})
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
func PendingSummary(set *migrations.Set, checks []snapshot.PendingCheck) string {
	n := map[string]int{}
	for _, c := range checks {
		n[c.Side]++
	}
	return fmt.Sprintf("%d %s migrations in %s: %d pending in A, %d pending in B", len(set.Migrations), set.Format, set.Dir, n["A"], n["B"])
}
