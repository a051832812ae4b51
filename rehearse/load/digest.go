package load

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/snapshot"
)

// DigestOptions tune ProfileFromDigests.
type DigestOptions struct {
	// Scale multiplies production's rates (1 = production's own rate).
	Scale float64
	// Window is the time the digests were collected over, used to turn
	// counts into rates when a digest has no first/last-seen times. 0
	// means: weights only, Profile.Rate stays 0.
	Window time.Duration
}

// SkippedDigest is a digest ProfileFromDigests could not map to a
// template, and why.
type SkippedDigest struct {
	Digest string
	Text   string
	Reason string
}

// ProfileFromDigests maps the snapshot's workload digests (normalized
// statement texts with '?' for literals) to templates of the same shape:
// single-table INSERT, UPDATE, DELETE and SELECT whose conditions are
// equalities on columns. Each template keeps the digest's columns — the
// columns an insert lists, an update sets, a select reads — so the
// previous-app check sees exactly what production's statements name; the
// values come from the generator and from keys sampled from the table.
// Weights are the digests' rates; Profile.Rate is their sum × Scale when
// the digests carry first/last-seen times (or DigestOptions.Window).
// Statements of other shapes (joins, sub-queries, DDL, SET, ...) are
// returned as skipped, with the reason.
func ProfileFromDigests(snap *snapshot.Snapshot, opts DigestOptions) (*Profile, []SkippedDigest, error) {
	if snap == nil || len(snap.Digests) == 0 {
		return nil, nil, rehearse.WithHint(fmt.Errorf("load profile: the snapshot has no workload digests"),
			"take the snapshot with digests (performance_schema statement digests), or use the default profile")
	}
	if opts.Scale <= 0 {
		opts.Scale = 1
	}
	p := &Profile{}
	var skipped []SkippedDigest
	ps := parser.New()
	var total float64
	haveRates := true
	for _, d := range snap.Digests {
		skip := func(format string, args ...any) {
			skipped = append(skipped, SkippedDigest{Digest: d.Digest, Text: d.Text, Reason: fmt.Sprintf(format, args...)})
		}
		if d.Count <= 0 {
			skip("never executed")
			continue
		}
		if strings.HasSuffix(strings.TrimSpace(d.Text), "...") {
			skip("text truncated by the server (performance_schema_max_digest_length)")
			continue
		}
		shape, err := parseShape(ps, d.Text)
		if err != nil {
			skip("%v", err)
			continue
		}
		schema := shape.schema
		if schema == "" {
			schema = d.Schema
		}
		tb := snap.Table(schema, shape.table)
		if tb == nil {
			skip("table %s.%s is not in the snapshot", schema, shape.table)
			continue
		}
		b := newTableBuilder(schema, tb)
		if missing := b.missing(shape.cols, shape.where); missing != "" {
			skip("column %s is not in the snapshot's %s.%s", missing, schema, shape.table)
			continue
		}
		t, ok := b.template(shape.kind, shape.cols, shape.where)
		if !ok {
			skip("%s.%s has no key to address rows by", schema, shape.table)
			continue
		}
		rate, ok := digestRate(d, opts.Window)
		if !ok {
			haveRates = false
			rate = float64(d.Count)
		}
		t.Weight = rate
		t.Digest, t.DigestText = d.Digest, d.Text
		p.Templates = append(p.Templates, t)
		total += rate
	}
	if len(p.Templates) == 0 {
		return nil, skipped, rehearse.WithHint(fmt.Errorf("load profile: none of the %d digests maps to a statement shape the load can run", len(snap.Digests)),
			"use the default profile (inserts, updates, deletes and point reads on the migrated tables)")
	}
	if haveRates {
		p.Rate = total * opts.Scale
	}
	return p, skipped, nil
}

// digestRate is a digest's executions per second over the time it was
// seen (or over window).
func digestRate(d snapshot.Digest, window time.Duration) (float64, bool) {
	first, err1 := parseSeen(d.FirstSeen)
	last, err2 := parseSeen(d.LastSeen)
	if err1 == nil && err2 == nil && last.After(first) {
		return float64(d.Count) / last.Sub(first).Seconds(), true
	}
	if window > 0 {
		return float64(d.Count) / window.Seconds(), true
	}
	return 0, false
}

func parseSeen(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

// shape is what a digest's statement does, in template terms.
type shape struct {
	kind          Kind
	schema, table string
	cols          []string // insert columns, update SET columns, select columns (nil = default / all)
	where         []string // equality columns (nil = the key)
}

// literalRun is how MariaDB and MySQL digests write a run of literals
// ("VALUES ( `UUID` ( ) , ?, ... )", "IN ( ?, ... )").
var literalRun = regexp.MustCompile(`\?\s*,\s*\.\.\.`)

// parseShape parses a normalized digest text. Digests write value lists as
// "(...)" and runs of literals as "?, ..."; each becomes one placeholder.
func parseShape(ps *parser.Parser, text string) (shape, error) {
	q := strings.ReplaceAll(text, "(...)", "(?)")
	q = literalRun.ReplaceAllString(q, "?")
	stmt, err := ps.ParseOneStmt(q, "", "")
	if err != nil {
		return shape{}, fmt.Errorf("not parsed: %v", firstLine(err.Error()))
	}
	var sh shape
	var refs *ast.TableRefsClause
	var where ast.ExprNode
	switch s := stmt.(type) {
	case *ast.InsertStmt:
		if s.Select != nil || s.Setlist || len(s.OnDuplicate) > 0 {
			return sh, fmt.Errorf("INSERT ... SELECT / SET / ON DUPLICATE KEY is not replayed")
		}
		sh.kind, refs = Insert, s.Table
		for _, c := range s.Columns {
			sh.cols = append(sh.cols, c.Name.O)
		}
	case *ast.UpdateStmt:
		if s.MultipleTable {
			return sh, fmt.Errorf("multi-table UPDATE is not replayed")
		}
		sh.kind, refs, where = Update, s.TableRefs, s.Where
		for _, a := range s.List {
			sh.cols = append(sh.cols, a.Column.Name.O)
		}
	case *ast.DeleteStmt:
		if s.IsMultiTable {
			return sh, fmt.Errorf("multi-table DELETE is not replayed")
		}
		sh.kind, refs, where = Delete, s.TableRefs, s.Where
	case *ast.SelectStmt:
		sh.kind, refs, where = Read, s.From, s.Where
		if s.Fields != nil {
			for _, f := range s.Fields.Fields {
				switch e := f.Expr.(type) {
				case nil:
					if f.WildCard != nil {
						sh.cols = []string{"*"}
					}
				case *ast.ColumnNameExpr:
					sh.cols = append(sh.cols, e.Name.Name.O)
				default:
					return sh, fmt.Errorf("SELECT of expressions is not replayed")
				}
			}
		}
	default:
		return sh, fmt.Errorf("%T is not a row statement", stmt)
	}
	tn, err := singleTable(refs)
	if err != nil {
		return sh, err
	}
	sh.schema, sh.table = tn.Schema.O, tn.Name.O
	if where != nil {
		if sh.where, err = equalityColumns(where); err != nil {
			return sh, err
		}
	} else if sh.kind != Insert {
		return sh, fmt.Errorf("%s without WHERE is not replayed (it would touch every row)", strings.ToUpper(sh.kind.String()))
	}
	return sh, nil
}

func singleTable(refs *ast.TableRefsClause) (*ast.TableName, error) {
	if refs == nil || refs.TableRefs == nil || refs.TableRefs.Right != nil {
		return nil, fmt.Errorf("not a single-table statement")
	}
	ts, ok := refs.TableRefs.Left.(*ast.TableSource)
	if !ok {
		return nil, fmt.Errorf("not a single-table statement")
	}
	tn, ok := ts.Source.(*ast.TableName)
	if !ok {
		return nil, fmt.Errorf("FROM a sub-query is not replayed")
	}
	return tn, nil
}

// equalityColumns returns the columns of "col = ? [AND col IN (?) ...]".
func equalityColumns(e ast.ExprNode) ([]string, error) {
	switch x := e.(type) {
	case *ast.ParenthesesExpr:
		return equalityColumns(x.Expr)
	case *ast.BinaryOperationExpr:
		if x.Op == opcode.LogicAnd {
			l, err := equalityColumns(x.L)
			if err != nil {
				return nil, err
			}
			r, err := equalityColumns(x.R)
			return append(l, r...), err
		}
		if x.Op == opcode.EQ {
			if c, ok := x.L.(*ast.ColumnNameExpr); ok && isParam(x.R) {
				return []string{c.Name.Name.O}, nil
			}
			if c, ok := x.R.(*ast.ColumnNameExpr); ok && isParam(x.L) {
				return []string{c.Name.Name.O}, nil
			}
		}
	case *ast.PatternInExpr:
		if c, ok := x.Expr.(*ast.ColumnNameExpr); ok && !x.Not && x.Sel == nil {
			return []string{c.Name.Name.O}, nil
		}
	}
	return nil, fmt.Errorf("condition other than column = value is not replayed")
}

func isParam(e ast.ExprNode) bool {
	_, ok := e.(*driver.ParamMarkerExpr)
	if !ok {
		_, ok = e.(*driver.ValueExpr)
	}
	return ok
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// missing returns the first named column (other than "*") the table lacks.
func (b *tableBuilder) missing(lists ...[]string) string {
	for _, l := range lists {
		for _, c := range l {
			if c != "*" && b.cols[strings.ToLower(c)] == nil {
				return c
			}
		}
	}
	return ""
}
