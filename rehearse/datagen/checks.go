package datagen

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// applyChecks narrows column targets so that generated rows satisfy the
// table's CHECK constraints. Modelled: conjunctions of column-vs-constant
// comparisons, BETWEEN, IN lists, IS NOT NULL, CHAR_LENGTH/LENGTH bounds,
// column-vs-column order (a < b: the two ranges are split), json_valid.
// Anything else goes to checkRisk: the load skips violating rows (IGNORE)
// and the result says how many were kept.
func (p *tablePlan) applyChecks() {
	p.checkRisk = nil
	for _, ck := range p.tbl.Checks {
		if err := p.applyCheck(ck.Clause); err != nil {
			p.checkRisk = append(p.checkRisk, ck.Name)
			if !p.checksNoted {
				p.notef("CHECK %s (%s) is not modelled (%v): rows violating it are skipped by the server", ck.Name, ck.Clause, err)
			}
		}
	}
	p.checksNoted = true
}

func (p *tablePlan) applyCheck(clause string) error {
	// MySQL's CHECK_CONSTRAINTS escapes quotes: (`grade` in (_utf8mb4\'A\')).
	clause = strings.ReplaceAll(clause, `\'`, `'`)
	stmt, err := parser.New().ParseOneStmt("SELECT 1 FROM t WHERE "+clause, "", "")
	if err != nil {
		return fmt.Errorf("cannot parse")
	}
	sel, ok := stmt.(*ast.SelectStmt)
	if !ok || sel.Where == nil {
		return fmt.Errorf("cannot parse")
	}
	return p.applyExpr(sel.Where)
}

func unparen(e ast.ExprNode) ast.ExprNode {
	for {
		pe, ok := e.(*ast.ParenthesesExpr)
		if !ok {
			return e
		}
		e = pe.Expr
	}
}

func (p *tablePlan) column(e ast.ExprNode) *colPlan {
	c, ok := unparen(e).(*ast.ColumnNameExpr)
	if !ok {
		return nil
	}
	if i := p.colIndex(c.Name.Name.O); i >= 0 {
		return p.cols[i]
	}
	return nil
}

func constant(e ast.ExprNode) (string, bool) {
	switch v := unparen(e).(type) {
	case *driver.ValueExpr:
		return fmt.Sprint(v.GetValue()), true
	case *ast.UnaryOperationExpr:
		if v.Op == opcode.Minus {
			if s, ok := constant(v.V); ok {
				return "-" + s, true
			}
		}
	}
	return "", false
}

func (p *tablePlan) applyExpr(e ast.ExprNode) error {
	e = unparen(e)
	switch x := e.(type) {
	case *ast.BinaryOperationExpr:
		if x.Op == opcode.LogicAnd {
			if err := p.applyExpr(x.L); err != nil {
				return err
			}
			return p.applyExpr(x.R)
		}
		return p.applyCompare(x.Op, x.L, x.R)
	case *ast.BetweenExpr:
		c := p.column(x.Expr)
		lo, ok1 := constant(x.Left)
		hi, ok2 := constant(x.Right)
		if c == nil || !ok1 || !ok2 || x.Not {
			return fmt.Errorf("unsupported BETWEEN")
		}
		if err := c.bound(opcode.GE, lo); err != nil {
			return err
		}
		return c.bound(opcode.LE, hi)
	case *ast.PatternInExpr:
		c := p.column(x.Expr)
		if c == nil || x.Not || x.Sel != nil {
			return fmt.Errorf("unsupported IN")
		}
		var list []string
		for _, v := range x.List {
			s, ok := constant(v)
			if !ok {
				return fmt.Errorf("IN list with a non-constant")
			}
			list = append(list, s)
		}
		c.inList = list
		return nil
	case *ast.IsNullExpr:
		if c := p.column(x.Expr); c != nil && x.Not {
			c.tg.nullFrac = 0
			return nil
		}
	case *ast.FuncCallExpr:
		if x.FnName.L == "json_valid" && len(x.Args) == 1 {
			if c := p.column(x.Args[0]); c != nil && c.t.kind == kJSON {
				return nil
			}
		}
	}
	return fmt.Errorf("unsupported expression")
}

func (p *tablePlan) applyCompare(op opcode.Op, l, r ast.ExprNode) error {
	flip := map[opcode.Op]opcode.Op{opcode.GE: opcode.LE, opcode.GT: opcode.LT, opcode.LE: opcode.GE, opcode.LT: opcode.GT, opcode.NE: opcode.NE, opcode.EQ: opcode.EQ}
	if lc, rc := p.column(l), p.column(r); lc != nil && rc != nil {
		return orderColumns(op, lc, rc)
	}
	if v, ok := constant(l); ok { // 0 <= col
		l, r, op = r, l, flip[op]
		_ = v
	}
	v, ok := constant(r)
	if !ok {
		return fmt.Errorf("comparison with a non-constant")
	}
	if c := p.column(l); c != nil {
		if op == opcode.NE && v == "" && c.t.kind == kChar {
			c.minLen = max(c.minLen, 1)
			return nil
		}
		return c.bound(op, v)
	}
	if f, okf := unparen(l).(*ast.FuncCallExpr); okf && (f.FnName.L == "char_length" || f.FnName.L == "length") && len(f.Args) == 1 {
		c := p.column(f.Args[0])
		if c == nil || (c.t.kind != kChar && c.t.kind != kBinary) {
			return fmt.Errorf("length of a non-string")
		}
		var n int64
		if _, err := fmt.Sscan(v, &n); err != nil {
			return err
		}
		switch op {
		case opcode.GE:
			c.minLen = max(c.minLen, n)
		case opcode.GT:
			c.minLen = max(c.minLen, n+1)
		case opcode.LE:
			c.maxLen = minPos(c.maxLen, n)
		case opcode.LT:
			c.maxLen = minPos(c.maxLen, n-1)
		default:
			return fmt.Errorf("unsupported length comparison")
		}
		return nil
	}
	return fmt.Errorf("unsupported comparison")
}

func minPos(a, b int64) int64 {
	if a <= 0 {
		return b
	}
	return min(a, b)
}

// bound narrows a numeric or temporal column's range with col OP v.
func (c *colPlan) bound(op opcode.Op, v string) error {
	if c.tg.unsigned || !isRanged(c.t) {
		return fmt.Errorf("bound on column %s of type %s", c.col.Name, c.col.Type)
	}
	u, ok := parseBound(c.t, strings.Trim(v, "'"))
	if !ok {
		return fmt.Errorf("constant %q", v)
	}
	switch op {
	case opcode.GE:
		c.tg.lo = max(c.tg.lo, u)
		c.tg.limLo = maxPtr(c.tg.limLo, u)
	case opcode.GT:
		c.tg.lo = max(c.tg.lo, u+1)
		c.tg.limLo = maxPtr(c.tg.limLo, u+1)
	case opcode.LE:
		c.tg.hi = min(c.tg.hi, u)
		c.tg.limHi = minPtr(c.tg.limHi, u)
	case opcode.LT:
		c.tg.hi = min(c.tg.hi, u-1)
		c.tg.limHi = minPtr(c.tg.limHi, u-1)
	default:
		return fmt.Errorf("operator %s", op)
	}
	if c.tg.limLo != nil && c.tg.limHi != nil && *c.tg.limLo > *c.tg.limHi {
		return fmt.Errorf("empty range")
	}
	if c.tg.hi < c.tg.lo { // statistics outside the allowed range
		lo, hi := c.tg.limits(c.t)
		c.tg.lo, c.tg.hi = lo, hi
	}
	return nil
}

func isRanged(t colType) bool {
	switch t.kind {
	case kInt, kDecimal, kFloat, kDate, kDatetime, kTimestamp, kTime, kYear:
		return true
	}
	return false
}

func maxPtr(p *int64, v int64) *int64 {
	if p != nil && *p > v {
		return p
	}
	return &v
}

func minPtr(p *int64, v int64) *int64 {
	if p != nil && *p < v {
		return p
	}
	return &v
}

// orderColumns makes a OP b hold for every row by giving a and b disjoint
// ranges (a's below b's): from_date < to_date, min_qty <= max_qty.
func orderColumns(op opcode.Op, a, b *colPlan) error {
	switch op {
	case opcode.GT, opcode.GE:
		a, b = b, a
	case opcode.LT, opcode.LE:
	default:
		return fmt.Errorf("column comparison %s", op)
	}
	if a.t.kind != b.t.kind || !isRanged(a.t) || a.tg.unsigned || b.tg.unsigned {
		return fmt.Errorf("columns of different kinds")
	}
	lo, hi := min(a.tg.lo, b.tg.lo), max(a.tg.hi, b.tg.hi)
	if hi-lo < 2 {
		return fmt.Errorf("range too small to order")
	}
	mid := lo + (hi-lo)/2
	a.tg.lo, a.tg.hi = lo, mid
	b.tg.lo, b.tg.hi = mid+1, hi
	a.tg.limLo, a.tg.limHi = ptrTo(a.tg.lo), ptrTo(a.tg.hi)
	b.tg.limLo, b.tg.limHi = ptrTo(b.tg.lo), ptrTo(b.tg.hi)
	return nil
}

func ptrTo(v int64) *int64 { return &v }
