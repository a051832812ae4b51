package scope

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// userVar is what a script does with one user variable (@name).
type userVar struct {
	prepared bool              // a PREPARE reads it
	assigned bool              // a SET assigns it (from literals, unless unsafe)
	unsafe   string            // why its value cannot be proven confined ("" = it can)
	rewrites map[string]string // a literal it may hold -> the same statement confined
}

// scriptVars reads the user variables a script assigns and prepares.
func (c *checker) scriptVars(stmts []sqlsplit.Statement) map[string]*userVar {
	var fs []*found
	for _, st := range stmts {
		if nodes, _, err := c.parse(st.Text); err == nil {
			roots := make([]ast.Node, len(nodes))
			for i, n := range nodes {
				roots[i] = n
			}
			fs = append(fs, collect(roots...))
		}
	}
	return c.varsOf(fs)
}

// varsOf judges every user variable the collections assign: a variable a
// PREPARE reads is safe only when every assignment is made of literals
// (IF, CASE, IFNULL, COALESCE, a one-column sub-select around them) and
// every literal it may hold is a statement that can be confined.
func (c *checker) varsOf(fs []*found) map[string]*userVar {
	vars := map[string]*userVar{}
	get := func(name string) *userVar {
		k := strings.ToLower(strings.TrimPrefix(name, "@"))
		if vars[k] == nil {
			vars[k] = &userVar{rewrites: map[string]string{}}
		}
		return vars[k]
	}
	intoVars := false
	for _, f := range fs {
		for _, p := range f.prepares {
			if p.SQLVar != nil {
				get(p.SQLVar.Name).prepared = true
			}
		}
	}
	for _, f := range fs {
		for _, in := range f.intos {
			if in.Tp == ast.SelectIntoVars {
				intoVars = true
			}
		}
		for _, a := range f.assigns {
			uv := get(a.Name)
			uv.assigned = true
			if !uv.prepared || uv.unsafe != "" {
				continue
			}
			vals, ok := possibleValues(a.Value)
			if !ok {
				uv.unsafe = fmt.Sprintf("@%s is built at run time (not from literals), so what it prepares cannot be checked", a.Name)
				continue
			}
			for _, v := range vals {
				edits, err := c.statement(v, nil)
				if err != nil {
					uv.unsafe = fmt.Sprintf("@%s may hold %q, which %v", a.Name, firstWords(v), err)
					break
				}
				if len(edits) > 0 {
					uv.rewrites[v] = apply(v, edits)
				}
			}
		}
	}
	if intoVars {
		for name, uv := range vars {
			if uv.prepared {
				uv.unsafe = fmt.Sprintf("@%s may be set by a SELECT ... INTO from a table's data", name)
			}
		}
	}
	return vars
}

// prepare checks what a PREPARE runs and returns the edit of its literal.
func (c *checker) prepare(p *ast.PrepareStmt, toks []token, vars map[string]*userVar) ([]edit, error) {
	if p.SQLVar != nil {
		uv := vars[strings.ToLower(p.SQLVar.Name)]
		switch {
		case uv != nil && uv.unsafe != "":
			return nil, refusal(uv.unsafe)
		case uv != nil && uv.assigned:
			return nil, nil
		}
		return nil, refusef("it prepares @%s, which is not set from literals in the same migration: dynamic SQL built at run time cannot be proven to stay in the scratch database", p.SQLVar.Name)
	}
	edits, err := c.statement(p.SQLText, nil)
	if err != nil {
		return nil, refusef("the statement it prepares %v", err)
	}
	if len(edits) == 0 {
		return nil, nil
	}
	return stringEdits(toks, p.SQLText, apply(p.SQLText, edits))
}

// stringEdits replaces every string literal whose value is from by to.
func stringEdits(toks []token, from, to string) ([]edit, error) {
	q, ok := quoteString(to)
	if !ok {
		return nil, refusef("a string holding a statement to rewrite also holds a backslash, whose meaning depends on sql_mode")
	}
	var out []edit
	for _, t := range toks {
		if t.Kind == 's' && t.Val == from {
			out = append(out, edit{t.Start, t.End, q})
		}
	}
	if len(out) == 0 {
		return nil, refusef("the string holding the statement to rewrite is not found in the text (concatenated literals?)")
	}
	return out, nil
}

// possibleValues lists the values an expression built from literals can
// take; ok is false when it depends on anything else.
func possibleValues(e ast.ExprNode) ([]string, bool) {
	switch x := e.(type) {
	case ast.ValueExpr:
		v := x.GetValue()
		switch s := v.(type) {
		case nil:
			return nil, true
		case string:
			return []string{s}, true
		case []byte:
			return []string{string(s)}, true
		}
		return []string{fmt.Sprint(v)}, true
	case *ast.ParenthesesExpr:
		return possibleValues(x.Expr)
	case *ast.FuncCallExpr:
		var args []ast.ExprNode
		switch x.FnName.L {
		case "if":
			if len(x.Args) == 3 {
				args = x.Args[1:]
			}
		case "ifnull", "coalesce":
			args = x.Args
		case "nullif":
			if len(x.Args) == 2 {
				args = x.Args[:1]
			}
		}
		if args == nil {
			return nil, false
		}
		return union(args...)
	case *ast.CaseExpr:
		var args []ast.ExprNode
		for _, w := range x.WhenClauses {
			args = append(args, w.Result)
		}
		if x.ElseClause != nil {
			args = append(args, x.ElseClause)
		}
		return union(args...)
	case *ast.SubqueryExpr:
		if sel, ok := x.Query.(*ast.SelectStmt); ok && sel.Fields != nil && len(sel.Fields.Fields) == 1 && sel.Fields.Fields[0].Expr != nil {
			return possibleValues(sel.Fields.Fields[0].Expr)
		}
	}
	return nil, false
}

func union(es ...ast.ExprNode) ([]string, bool) {
	var out []string
	for _, e := range es {
		v, ok := possibleValues(e)
		if !ok {
			return nil, false
		}
		out = append(out, v...)
	}
	return out, true
}
