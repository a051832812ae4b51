package plan

import (
	"fmt"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/snapshot"
)

// LiteralQueries lists the column-to-literal comparisons of the pending
// migrations' DML (`rehearse snapshot --migrations`): in the WHERE of each
// DELETE, UPDATE and SELECT (subqueries too) that reads one table, every
// conjunct `col = lit`, `col <> lit`, `col != lit`, `col [NOT] IN (lit, …)`
// and `col IS [NOT] NULL`. The literals are the migration files' own; the
// snapshot counts production's rows for them. Statements the parser cannot
// read are skipped.
func LiteralQueries(pending []*migrations.Migration) []snapshot.LiteralQuery {
	p := parser.New()
	var out []snapshot.LiteralQuery
	for _, m := range pending {
		for _, st := range m.Up.Statements {
			node, err := p.ParseOneStmt(st.Text, "", "")
			if err != nil {
				continue
			}
			v := &literalVisitor{at: fmt.Sprintf("%s:%d", st.File, st.Line)}
			node.Accept(v)
			out = append(out, v.out...)
		}
	}
	return out
}

type literalVisitor struct {
	at  string
	out []snapshot.LiteralQuery
}

func (v *literalVisitor) Enter(n ast.Node) (ast.Node, bool) {
	var refs *ast.TableRefsClause
	var where ast.ExprNode
	switch s := n.(type) {
	case *ast.DeleteStmt:
		refs, where = s.TableRefs, s.Where
	case *ast.UpdateStmt:
		refs, where = s.TableRefs, s.Where
	case *ast.SelectStmt:
		refs, where = s.From, s.Where
	default:
		return n, false
	}
	if schema, table := oneTable(refs); table != "" && where != nil {
		v.conjuncts(schema, table, where)
	}
	return n, false
}

func (v *literalVisitor) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// oneTable is the table a statement reads when it reads exactly one.
func oneTable(refs *ast.TableRefsClause) (string, string) {
	if refs == nil || refs.TableRefs == nil || refs.TableRefs.Right != nil {
		return "", ""
	}
	ts, ok := refs.TableRefs.Left.(*ast.TableSource)
	if !ok {
		return "", ""
	}
	tn, ok := ts.Source.(*ast.TableName)
	if !ok {
		return "", ""
	}
	return tn.Schema.O, tn.Name.O
}

func (v *literalVisitor) conjuncts(schema, table string, e ast.ExprNode) {
	add := func(col *ast.ColumnNameExpr, vals []*string) {
		v.out = append(v.out, snapshot.LiteralQuery{Schema: schema, Table: table, Column: col.Name.Name.O, Values: vals, At: v.at})
	}
	switch x := e.(type) {
	case *ast.ParenthesesExpr:
		v.conjuncts(schema, table, x.Expr)
	case *ast.BinaryOperationExpr:
		switch x.Op {
		case opcode.LogicAnd:
			v.conjuncts(schema, table, x.L)
			v.conjuncts(schema, table, x.R)
		case opcode.EQ, opcode.NE:
			col, lit := columnAndLiteral(x.L, x.R)
			if col == nil {
				col, lit = columnAndLiteral(x.R, x.L)
			}
			if col != nil {
				add(col, []*string{lit})
			}
		}
	case *ast.PatternInExpr:
		col, ok := x.Expr.(*ast.ColumnNameExpr)
		if !ok || x.Sel != nil {
			return
		}
		var vals []*string
		for _, item := range x.List {
			s, ok := literalString(item)
			if !ok {
				return
			}
			vals = append(vals, s)
		}
		add(col, vals)
	case *ast.IsNullExpr:
		if col, ok := x.Expr.(*ast.ColumnNameExpr); ok {
			add(col, []*string{nil})
		}
	}
}

func columnAndLiteral(a, b ast.ExprNode) (*ast.ColumnNameExpr, *string) {
	col, ok := a.(*ast.ColumnNameExpr)
	if !ok {
		return nil, nil
	}
	s, ok := literalString(b)
	if !ok || s == nil {
		return nil, nil // `= NULL` matches nothing
	}
	return col, s
}

// literalString is a constant's text (NULL: nil).
func literalString(e ast.ExprNode) (*string, bool) {
	ve, ok := e.(*driver.ValueExpr)
	if !ok {
		return nil, false
	}
	val := ve.GetValue()
	if val == nil {
		return nil, true
	}
	s := fmt.Sprint(val)
	if b, ok := val.([]byte); ok {
		s = string(b)
	}
	return &s, true
}
