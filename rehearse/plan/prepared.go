package plan

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// DynamicSQL is StatementPlan.Executes of an EXECUTE whose statement text
// the plan cannot know before it runs: the prepared text is built at run
// time (CONCAT of variables, read from a table), holds several possible
// changes, or was prepared outside the migrations. The sandbox replay and
// the rehearsal's probe still read the text the server prepared when the
// EXECUTE runs, and verify it.
const DynamicSQL = "unknown (dynamic SQL)"

// prepText is what a user variable or a prepared statement holds, as far
// as the migration's text tells: the one statement it runs (a literal, or
// the one change among an IF's branches next to no-op SELECTs: the
// Mattermost guard), or nothing known.
type prepText struct {
	text string // the statement, "" when not known
	// noop: every branch is a SELECT (nothing to classify), when text is "".
	noop bool
	// why says how the text is built when it is not known; cands are
	// the statements it may be.
	why   string
	cands []string
}

// userVarText reads a SET @v = expr's value: the statement its string
// literals hold (textOf).
func (c *classifier) userVarText(value ast.ExprNode) prepText {
	v := &allStrings{}
	value.Accept(v)
	return c.textOf(v.lits)
}

// textOf: a literal that is a whole DDL or DML statement is a candidate;
// exactly one candidate (beside SELECT branches) is the text. A literal
// that starts like a change but does not parse alone is a fragment of
// text assembled at run time.
func (c *classifier) textOf(lits []string) prepText {
	var cands []string
	selects, fragments := 0, 0
	for _, s := range lits {
		sts, _ := sqlsplit.SplitString(s, sqlsplit.Options{})
		if len(sts) > 1 {
			for _, st := range sts {
				cands = append(cands, strings.TrimSpace(st.Text))
			}
			continue
		}
		if len(sts) == 0 {
			continue
		}
		text := strings.TrimSpace(sts[0].Text)
		node, err := c.p.ParseOneStmt(text, "", "")
		switch {
		case err != nil:
			if loc := innerStart.FindStringIndex(text + " "); ddlHead.MatchString(text) || loc != nil && loc[0] == 0 {
				fragments++
			}
		case isSelect(node):
			selects++
		default:
			cands = append(cands, text)
		}
	}
	switch {
	case len(cands) == 1 && fragments == 0:
		return prepText{text: cands[0]}
	case len(cands) == 0 && fragments == 0 && selects > 0:
		return prepText{noop: true}
	case len(cands) > 1:
		return prepText{why: "the text holds one of several statements, chosen when it runs", cands: cands}
	case fragments > 0:
		return prepText{why: "the text is assembled when it runs"}
	}
	return prepText{why: "its value is not a statement the migration spells out"}
}

func isSelect(n ast.StmtNode) bool {
	switch n.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt, *ast.DoStmt:
		return true
	}
	return false
}

type allStrings struct{ lits []string }

func (v *allStrings) Enter(n ast.Node) (ast.Node, bool) {
	if e, ok := n.(*driver.ValueExpr); ok {
		if s, ok := e.GetValue().(string); ok {
			v.lits = append(v.lits, s)
		}
	}
	return n, false
}
func (v *allStrings) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// setUserVars records what each user variable a SET assigns holds.
func (c *classifier) setUserVars(s *ast.SetStmt) {
	for _, v := range s.Variables {
		if v == nil || v.IsSystem || v.Value == nil {
			continue
		}
		if c.vars == nil {
			c.vars = map[string]prepText{}
		}
		c.vars[strings.ToLower(v.Name)] = c.userVarText(v.Value)
	}
}

// prepare records what a PREPARE'd statement will run.
func (c *classifier) prepare(s *ast.PrepareStmt) {
	if c.prepared == nil {
		c.prepared = map[string]prepText{}
	}
	name := strings.ToLower(s.Name)
	switch {
	case s.SQLVar != nil:
		pt, ok := c.vars[strings.ToLower(s.SQLVar.Name)]
		if !ok {
			pt = prepText{why: "@" + s.SQLVar.Name + " is not set by the migrations"}
		}
		c.prepared[name] = pt
	default:
		c.prepared[name] = c.textOf([]string{s.SQLText})
	}
}

// execute classifies the statement an EXECUTE runs as the EXECUTE's own:
// its operations, table and (later) predicted and verified algorithm are
// the prepared text's, and Executes names the text. A text the plan cannot
// know is DynamicSQL (finding RH014); a SELECT is left as it is.
func (c *classifier) execute(sp *StatementPlan, s *ast.ExecuteStmt) {
	pt, ok := c.prepared[strings.ToLower(s.Name)]
	switch {
	case !ok:
		sp.Executes, sp.Dynamic = DynamicSQL, s.Name+" is not prepared by the migrations"
	case pt.noop:
	case pt.text == "":
		sp.Executes, sp.Dynamic = DynamicSQL, pt.why
		for _, t := range pt.cands { // what it may run, for the replay to verify the one it does
			sp.Inner = append(sp.Inner, c.innerText(t, "prepare", sp.File, sp.Line)...)
		}
	default:
		sql := sp.SQL
		c.classifyText(sp, pt.text, false)
		sp.SQL, sp.Executes = sql, cut(pt.text)
	}
}
