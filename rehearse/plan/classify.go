package plan

import (
	"regexp"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// classifier turns statements into StatementPlans, keeping the model of the
// schema up to date as statements (would) run.
type classifier struct {
	p     *parser.Parser
	model *model
	// noFKChecks: the session ran SET foreign_key_checks=0 (and not back
	// to 1): ADD FOREIGN KEY then skips validation and the table copy.
	noFKChecks bool
	// spatial names the SPATIAL indexes of the statement parsed last (the
	// TiDB parser has no SPATIAL keyword: see parse); "" = unnamed.
	spatial map[string]bool
	// vars and prepared: what the migrations' user variables and
	// prepared statements hold, by lower-case name (prepared.go).
	vars, prepared map[string]prepText
}

func newClassifier(m *model) *classifier {
	p := parser.New()
	p.SetParserConfig(parser.ParserConfig{EnableWindowFunction: true, EnableStrictDoubleTypeCheck: true})
	return &classifier{p: p, model: m}
}

const maxSQL = 4000

func cut(s string) string {
	if len(s) <= maxSQL {
		return s
	}
	return s[:maxSQL] + "…"
}

// spatialKey finds MySQL's SPATIAL INDEX/KEY, which TiDB's grammar lacks.
var spatialKey = regexp.MustCompile("(?i)\\bSPATIAL(\\s+(?:INDEX|KEY)\\b)(\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(`(?:[^`]|``)*`|[\\w$]+))?")

// parse parses one statement. A statement the parser rejects only for a
// SPATIAL index is parsed as a plain index and the names are remembered.
func (c *classifier) parse(text string) (ast.StmtNode, error) {
	c.spatial = nil
	node, err := c.p.ParseOneStmt(text, "", "")
	if err == nil || !spatialKey.MatchString(text) {
		return node, err
	}
	node2, err2 := c.p.ParseOneStmt(spatialKey.ReplaceAllString(text, "$1$2"), "", "")
	if err2 != nil {
		return node, err
	}
	c.spatial = map[string]bool{}
	for _, m := range spatialKey.FindAllStringSubmatch(text, -1) {
		name := strings.ToLower(strings.Trim(m[3], "`"))
		if strings.EqualFold(name, "ON") || strings.HasPrefix(m[2], "(") {
			name = "" // CREATE SPATIAL INDEX ... ON: named later; unnamed KEY (col)
		}
		c.spatial[name] = true
	}
	return node2, nil
}

// markSpatial turns the plain-index ops of a statement parsed through the
// SPATIAL fallback into spatial-index ops.
func (c *classifier) markSpatial(ops []Op) {
	for i := range ops {
		if ops[i].Class == OpAddIndex && (c.spatial[strings.ToLower(ops[i].Object)] || c.spatial[""]) {
			ops[i].Class = OpAddSpatial
		}
	}
}

// statement classifies st and applies it to the model.
func (c *classifier) statement(st sqlsplit.Statement) StatementPlan {
	sp := StatementPlan{File: st.File, Line: st.Line, SQL: cut(st.Text)}
	c.classifyText(&sp, st.Text, st.Compound)
	return sp
}

func (c *classifier) classifyText(sp *StatementPlan, text string, compound bool) {
	node, err := c.parse(text)
	if err != nil {
		sp.Analysed = false
		sp.NotAnalysed = "the MySQL parser cannot read it: " + firstLine(err.Error())
		sp.Kind = "other"
		if compound || routineHead.MatchString(text) {
			sp.Kind = "routine"
			sp.Ops = []Op{{Class: OpCreateRoutine}}
			sp.Inner = c.routineBody(text, sp.File, sp.Line)
		}
		return
	}
	sp.Analysed = true
	c.classifyNode(sp, node, text)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (c *classifier) tableRef(name string) *TableRef {
	tm := c.model.table(name)
	if tm == nil {
		return &TableRef{Schema: c.model.schema, Name: name, Missing: true}
	}
	return &TableRef{Schema: c.model.schema, Name: tm.Name, Rows: tm.Rows, DataBytes: tm.DataBytes, IndexBytes: tm.IndexBytes, New: tm.New}
}

func (c *classifier) classifyNode(sp *StatementPlan, node ast.StmtNode, text string) {
	sp.Kind = "ddl"
	switch s := node.(type) {
	case *ast.AlterTableStmt:
		sp.Table = c.tableRef(s.Table.Name.O)
		sp.Ops = alterOps(c.model.table(s.Table.Name.O), s.Specs)
		for i := range sp.Ops {
			if sp.Ops[i].Class == OpAddForeignKey && c.noFKChecks {
				sp.Ops[i].Class = OpAddForeignKeyNC
			}
		}
		c.markSpatial(sp.Ops)
	case *ast.CreateIndexStmt:
		sp.Table = c.tableRef(s.Table.Name.O)
		op := Op{Class: OpAddIndex, Object: s.IndexName, Key: keyParts(s.IndexPartSpecifications)}
		switch s.KeyType {
		case ast.IndexKeyTypeUnique:
			op.Class = OpAddUnique
		case ast.IndexKeyTypeFulltext:
			op.Class = OpAddFulltext
		case ast.IndexKeyTypeSpatial:
			op.Class = OpAddSpatial
		}
		sp.Ops = []Op{op}
		if c.spatial != nil {
			sp.Ops[0].Class = OpAddSpatial
		}
	case *ast.DropIndexStmt:
		sp.Table = c.tableRef(s.Table.Name.O)
		sp.Ops = []Op{{Class: OpDropIndex, Object: s.IndexName}}
	case *ast.CreateTableStmt:
		sp.Table = &TableRef{Schema: c.model.schema, Name: s.Table.Name.O, New: true}
		if tm := c.model.table(s.Table.Name.O); tm != nil {
			sp.Table = c.tableRef(s.Table.Name.O)
		}
		sp.Ops = []Op{{Class: OpCreateTable, Object: s.Table.Name.O}}
	case *ast.DropTableStmt:
		for _, t := range s.Tables {
			if sp.Table == nil {
				sp.Table = c.tableRef(t.Name.O)
			}
			cls := OpDropTable
			if s.IsView {
				cls = OpDropView
			}
			sp.Ops = append(sp.Ops, Op{Class: cls, Object: t.Name.O})
		}
	case *ast.RenameTableStmt:
		for _, t := range s.TableToTables {
			if sp.Table == nil {
				sp.Table = c.tableRef(t.OldTable.Name.O)
			}
			sp.Ops = append(sp.Ops, Op{Class: OpRenameTable, Object: t.OldTable.Name.O, Detail: "-> " + t.NewTable.Name.O})
		}
	case *ast.TruncateTableStmt:
		sp.Table = c.tableRef(s.Table.Name.O)
		sp.Ops = []Op{{Class: OpTruncate, Object: s.Table.Name.O}}
	case *ast.CreateViewStmt:
		sp.Ops = []Op{{Class: OpCreateView, Object: s.ViewName.Name.O}}
	case *ast.ProcedureInfo:
		sp.Kind = "routine"
		sp.Ops = []Op{{Class: OpCreateRoutine, Object: s.ProcedureName.Name.O}}
		sp.Inner = c.routineBody(text, sp.File, sp.Line)
	case *ast.DropProcedureStmt:
		sp.Kind = "routine"
		sp.Ops = []Op{{Class: OpDropRoutine, Object: s.ProcedureName.Name.O}}
	case *ast.InsertStmt:
		sp.Kind = "dml"
		cls := OpInsert
		sp.Ops = []Op{{Class: cls}}
		sp.Table = c.dmlTable(s.Table)
	case *ast.UpdateStmt:
		sp.Kind = "dml"
		sp.Ops = []Op{{Class: OpUpdate}}
		sp.Table = c.dmlTable(s.TableRefs)
	case *ast.DeleteStmt:
		sp.Kind = "dml"
		sp.Ops = []Op{{Class: OpDelete}}
		sp.Table = c.dmlTable(s.TableRefs)
	case *ast.SelectStmt, *ast.SetOprStmt:
		sp.Kind = "other"
		sp.Ops = []Op{{Class: OpSelect}}
	case *ast.SetStmt:
		sp.Kind = "session"
		sp.Ops = []Op{{Class: OpSession}}
		c.sessionVars(s)
		c.setUserVars(s)
	case *ast.PrepareStmt:
		sp.Kind = "session"
		sp.Ops = []Op{{Class: OpSession}}
		c.prepare(s)
	case *ast.ExecuteStmt:
		sp.Kind = "session"
		sp.Ops = []Op{{Class: OpSession}}
		if len(s.UsingVars) == 0 {
			c.execute(sp, s)
		}
	case *ast.DeallocateStmt, *ast.UseStmt, *ast.BeginStmt, *ast.CommitStmt, *ast.RollbackStmt:
		sp.Kind = "session"
		sp.Ops = []Op{{Class: OpSession}}
	case *ast.CallStmt:
		sp.Kind = "session"
		sp.Ops = []Op{{Class: OpCall}}
	default:
		sp.Kind = "other"
		sp.Ops = []Op{{Class: OpOther}}
		if _, ok := node.(ast.DDLNode); ok {
			sp.Kind = "ddl"
		}
	}
	c.model.apply(node)
}

// dmlTable is the first table a DML statement names.
func (c *classifier) dmlTable(refs *ast.TableRefsClause) *TableRef {
	if refs == nil || refs.TableRefs == nil {
		return nil
	}
	var name string
	v := &firstTable{}
	refs.Accept(v)
	name = v.name
	if name == "" {
		return nil
	}
	return c.tableRef(name)
}

type firstTable struct{ name string }

func (v *firstTable) Enter(n ast.Node) (ast.Node, bool) {
	if t, ok := n.(*ast.TableName); ok && v.name == "" {
		v.name = t.Name.O
	}
	return n, v.name != ""
}
func (v *firstTable) Leave(n ast.Node) (ast.Node, bool) { return n, true }

var (
	ddlHead     = regexp.MustCompile(`(?is)^\s*(ALTER\s+(ONLINE\s+|IGNORE\s+)*TABLE|CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|DROP\s+INDEX|CREATE\s+TABLE|DROP\s+TABLE|RENAME\s+TABLE|TRUNCATE)\b`)
	routineHead = regexp.MustCompile(`(?is)^\s*CREATE\s+(DEFINER\s*=\s*\S+\s+)?(PROCEDURE|FUNCTION|TRIGGER|EVENT)\b`)
	innerStart  = regexp.MustCompile(`(?is)\b(ALTER\s+(ONLINE\s+|IGNORE\s+)*TABLE|CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|DROP\s+INDEX|CREATE\s+TABLE|DROP\s+TABLE|RENAME\s+TABLE|TRUNCATE\s+TABLE|UPDATE|DELETE|INSERT)\s`)
	bodyBegin   = regexp.MustCompile(`(?is)\bBEGIN\b`)
)

// innerText classifies SQL text found inside another statement.
func (c *classifier) innerText(text, via, file string, line int) []StatementPlan {
	sts, _ := sqlsplit.SplitString(text, sqlsplit.Options{File: file, Line: line})
	var out []StatementPlan
	for _, st := range sts {
		sp := StatementPlan{File: file, Line: line, SQL: cut(st.Text), Via: via}
		c.classifyText(&sp, st.Text, false)
		out = append(out, sp)
	}
	return out
}

// routineBody finds the DDL and DML statements inside a routine's body:
// the body is split at ';' and each piece is read from its first DDL/DML
// keyword (control flow such as "IF x THEN" before it is skipped).
func (c *classifier) routineBody(text, file string, line int) []StatementPlan {
	loc := bodyBegin.FindStringIndex(text)
	if loc == nil {
		return nil
	}
	body := text[loc[1]:]
	sts, _ := sqlsplit.SplitString(body, sqlsplit.Options{File: file, Line: line + strings.Count(text[:loc[1]], "\n")})
	var out []StatementPlan
	for _, st := range sts {
		m := innerStart.FindStringIndex(st.Text)
		if m == nil {
			continue
		}
		inner := st.Text[m[0]:]
		sp := StatementPlan{File: file, Line: st.Line + strings.Count(st.Text[:m[0]], "\n"), SQL: cut(inner), Via: "routine"}
		c.classifyText(&sp, inner, false)
		if sp.Analysed {
			out = append(out, sp)
		}
	}
	return out
}

// sessionVars follows the session variables that change what DDL does.
func (c *classifier) sessionVars(s *ast.SetStmt) {
	for _, v := range s.Variables {
		if v == nil || !v.IsSystem || v.IsGlobal || !strings.EqualFold(v.Name, "foreign_key_checks") {
			continue
		}
		if on, ok := boolValue(v.Value); ok {
			c.noFKChecks = !on
		}
	}
}

// boolValue reads a constant ON/OFF, 1/0, TRUE/FALSE.
func boolValue(e ast.ExprNode) (bool, bool) {
	if e == nil {
		return false, false
	}
	if ve, ok := e.(*driver.ValueExpr); ok {
		switch v := ve.GetValue().(type) {
		case int64:
			return v != 0, true
		case uint64:
			return v != 0, true
		case string:
			switch strings.ToUpper(v) {
			case "ON", "TRUE", "1":
				return true, true
			case "OFF", "FALSE", "0":
				return false, true
			}
		}
	}
	if cn, ok := e.(*ast.ColumnNameExpr); ok { // SET foreign_key_checks = OFF parses OFF as a name
		switch strings.ToUpper(cn.Name.Name.O) {
		case "ON", "TRUE":
			return true, true
		case "OFF", "FALSE":
			return false, true
		}
	}
	return false, false
}
