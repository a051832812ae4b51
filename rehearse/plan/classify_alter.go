package plan

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// alterOps classifies the specifications of one ALTER TABLE against the
// table as the model knows it (tm may be nil: then column changes are
// classified from the new definition alone).
func alterOps(tm *tableModel, specs []*ast.AlterTableSpec) []Op {
	var ops []Op
	hasAddPK, hasDropPK := false, false
	for _, sp := range specs {
		if sp.Tp == ast.AlterTableDropPrimaryKey {
			hasDropPK = true
		}
		if sp.Tp == ast.AlterTableAddConstraint && sp.Constraint != nil && sp.Constraint.Tp == ast.ConstraintPrimaryKey {
			hasAddPK = true
		}
	}
	for _, sp := range specs {
		switch sp.Tp {
		case ast.AlterTableAddColumns:
			for _, d := range sp.NewColumns {
				op := addColumnOp(d)
				if op.Class == OpAddPrimaryKey {
					op.Key = []KeyPart{{Column: d.Name.Name.O}}
				}
				ops = append(ops, op)
				if k, ok := columnKeyOp(d); ok && k.Class == OpAddUnique {
					ops = append(ops, k)
				}
			}
		case ast.AlterTableDropColumn:
			op := Op{Class: OpDropColumn, Object: sp.OldColumnName.Name.O}
			if tm != nil {
				if c := tm.Cols[sp.OldColumnName.Name.L]; c != nil {
					op.Indexed = c.Indexed // its indexes are dropped or changed with it
				}
			}
			ops = append(ops, op)
		case ast.AlterTableModifyColumn, ast.AlterTableChangeColumn:
			ops = append(ops, modifyOps(tm, sp)...)
			if len(sp.NewColumns) > 0 {
				if k, ok := columnKeyOp(sp.NewColumns[0]); ok {
					ops = append(ops, k)
				}
			}
		case ast.AlterTableRenameColumn:
			ops = append(ops, Op{Class: OpRenameColumn, Object: sp.OldColumnName.Name.O, Detail: "-> " + sp.NewColumnName.Name.O})
		case ast.AlterTableAlterColumn:
			ops = append(ops, Op{Class: OpChangeDefault, Object: colName(sp)})
		case ast.AlterTableAddConstraint:
			ops = append(ops, constraintOp(sp.Constraint, hasDropPK))
		case ast.AlterTableDropPrimaryKey:
			if hasAddPK {
				continue // drop + add PK in one statement is one rebuild, classified with the add
			}
			ops = append(ops, Op{Class: OpDropPrimaryKey})
		case ast.AlterTableDropIndex:
			ops = append(ops, Op{Class: OpDropIndex, Object: sp.Name})
		case ast.AlterTableRenameIndex:
			ops = append(ops, Op{Class: OpRenameIndex, Object: sp.FromKey.O, Detail: "-> " + sp.ToKey.O})
		case ast.AlterTableIndexInvisible:
			ops = append(ops, Op{Class: OpIndexVisibility, Object: sp.IndexName.O})
		case ast.AlterTableDropForeignKey:
			ops = append(ops, Op{Class: OpDropForeignKey, Object: sp.Name})
		case ast.AlterTableDropCheck:
			ops = append(ops, Op{Class: OpDropCheck, Object: sp.Constraint.Name})
		case ast.AlterTableAlterCheck:
			ops = append(ops, Op{Class: OpTableOption, Detail: "check enforcement"})
		case ast.AlterTableOption:
			ops = append(ops, tableOptionOps(tm, sp.Options)...)
		case ast.AlterTableForce:
			ops = append(ops, Op{Class: OpRebuild, Detail: "FORCE"})
		case ast.AlterTableRenameTable:
			ops = append(ops, Op{Class: OpRenameTable, Detail: "-> " + sp.NewTable.Name.O})
		case ast.AlterTableLock, ast.AlterTableAlgorithm:
			// clauses, not operations
		case ast.AlterTablePartition, ast.AlterTableRemovePartitioning:
			ops = append(ops, Op{Class: OpPartition})
		case ast.AlterTableAddPartitions, ast.AlterTableDropPartition, ast.AlterTableCoalescePartitions, ast.AlterTableReorganizePartition,
			ast.AlterTableTruncatePartition, ast.AlterTableRebuildPartition, ast.AlterTableExchangePartition:
			ops = append(ops, Op{Class: OpPartitionManage})
		case ast.AlterTableOrderByColumns:
			ops = append(ops, Op{Class: OpRebuild, Detail: "ORDER BY"})
		default:
			ops = append(ops, Op{Class: OpAlterOther, Detail: fmt.Sprintf("ALTER TABLE specification %d", sp.Tp)})
		}
	}
	return ops
}

func colName(sp *ast.AlterTableSpec) string {
	if len(sp.NewColumns) > 0 {
		return sp.NewColumns[0].Name.Name.O
	}
	return ""
}

func addColumnOp(d *ast.ColumnDef) Op {
	op := Op{Class: OpAddColumn, Object: d.Name.Name.O}
	if d.Tp != nil {
		op.Detail = d.Tp.CompactStr()
	}
	for _, o := range d.Options {
		switch {
		case o.Tp == ast.ColumnOptionAutoIncrement:
			op.Class = OpAddAutoInc
		case o.Tp == ast.ColumnOptionGenerated && o.Stored:
			op.Class = OpAddStoredGen
		case o.Tp == ast.ColumnOptionGenerated:
			op.Class = OpAddVirtualGen
		case o.Tp == ast.ColumnOptionPrimaryKey && op.Class == OpAddColumn:
			op.Class = OpAddPrimaryKey
		}
	}
	if op.Class == OpAddColumn && notNullNoDefault(d) {
		op.Detail += " NOT NULL without DEFAULT"
	}
	return op
}

// notNullNoDefault: a NOT NULL column without a default (the previous app
// version's INSERTs that do not name it fail in strict mode).
func notNullNoDefault(d *ast.ColumnDef) bool {
	notNull, def := false, false
	for _, o := range d.Options {
		switch o.Tp {
		case ast.ColumnOptionNotNull:
			notNull = true
		case ast.ColumnOptionDefaultValue, ast.ColumnOptionAutoIncrement, ast.ColumnOptionGenerated:
			def = true
		}
	}
	return notNull && !def
}

func constraintOp(c *ast.Constraint, withDropPK bool) Op {
	name := c.Name
	switch c.Tp {
	case ast.ConstraintPrimaryKey:
		if withDropPK {
			return Op{Class: OpAddPrimaryKey, Detail: "replaces the primary key", Key: keyParts(c.Keys)}
		}
		return Op{Class: OpAddPrimaryKey, Key: keyParts(c.Keys)}
	case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
		return Op{Class: OpAddUnique, Object: name, Key: keyParts(c.Keys)}
	case ast.ConstraintFulltext:
		return Op{Class: OpAddFulltext, Object: name}
	case ast.ConstraintForeignKey:
		op := Op{Class: OpAddForeignKey, Object: name}
		if r := c.Refer; r != nil && r.Table != nil {
			ref := &ForeignRef{Schema: r.Table.Schema.O, Table: r.Table.Name.O}
			for _, k := range keyParts(c.Keys) {
				ref.Columns = append(ref.Columns, k.Column)
			}
			for _, k := range keyParts(r.IndexPartSpecifications) {
				ref.RefColumns = append(ref.RefColumns, k.Column)
			}
			op.Ref = ref
		}
		return op
	case ast.ConstraintCheck:
		return Op{Class: OpAddCheck, Object: name, Bound: checkBound(c.Expr)}
	}
	return Op{Class: OpAddIndex, Object: name, Key: keyParts(c.Keys)}
}

// checkBound reads a CHECK of the form `column OP number` (or
// `number OP column`), OP one of < <= > >=: the only form rules judge
// against the statistics' extremes; nil for any other expression.
func checkBound(e ast.ExprNode) *Bound {
	for {
		p, ok := e.(*ast.ParenthesesExpr)
		if !ok {
			break
		}
		e = p.Expr
	}
	b, ok := e.(*ast.BinaryOperationExpr)
	if !ok {
		return nil
	}
	ops := map[opcode.Op]string{opcode.LT: "<", opcode.LE: "<=", opcode.GT: ">", opcode.GE: ">="}
	mirror := map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<="}
	op, ok := ops[b.Op]
	if !ok {
		return nil
	}
	number := func(e ast.ExprNode) (string, bool) { // 100, 1.5, -1.5
		sign := ""
		if u, ok := e.(*ast.UnaryOperationExpr); ok && u.Op == opcode.Minus {
			sign, e = "-", u.V
		}
		if v, ok := e.(ast.ValueExpr); ok {
			return sign + sqlOf(v), true
		}
		return "", false
	}
	col, lok := b.L.(*ast.ColumnNameExpr)
	v, rok := number(b.R)
	if !lok || !rok {
		col, lok = b.R.(*ast.ColumnNameExpr)
		v, rok = number(b.L)
		if !lok || !rok {
			return nil
		}
		op = mirror[op]
	}
	if _, ok := new(big.Float).SetString(v); !ok {
		return nil
	}
	return &Bound{Column: col.Name.Name.O, Op: op, Value: v}
}

// keyParts reads an index's key parts.
func keyParts(parts []*ast.IndexPartSpecification) []KeyPart {
	var out []KeyPart
	for _, p := range parts {
		switch {
		case p.Column != nil:
			out = append(out, KeyPart{Column: p.Column.Name.O, Prefix: p.Length})
		case p.Expr != nil:
			out = append(out, KeyPart{Expr: sqlOf(p.Expr)})
		}
	}
	return out
}

// sqlOf writes a parsed node back as SQL ("" when it cannot).
func sqlOf(n ast.Node) string {
	var b strings.Builder
	if err := n.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags, &b)); err != nil {
		return ""
	}
	return b.String()
}

// columnKeyOp is the index a column definition's own UNIQUE or PRIMARY KEY
// option adds (ADD COLUMN, MODIFY, CHANGE: `email VARCHAR(255) UNIQUE`),
// or false. The server names a column's unique index after the column.
func columnKeyOp(d *ast.ColumnDef) (Op, bool) {
	for _, o := range d.Options {
		switch o.Tp {
		case ast.ColumnOptionUniqKey:
			return Op{Class: OpAddUnique, Key: []KeyPart{{Column: d.Name.Name.O}}}, true
		case ast.ColumnOptionPrimaryKey:
			return Op{Class: OpAddPrimaryKey, Key: []KeyPart{{Column: d.Name.Name.O}}}, true
		}
	}
	return Op{}, false
}

func tableOptionOps(tm *tableModel, opts []*ast.TableOption) []Op {
	var ops []Op
	for _, o := range opts {
		switch o.Tp {
		case ast.TableOptionEngine, ast.TableOptionRowFormat, ast.TableOptionKeyBlockSize:
			ops = append(ops, Op{Class: OpRebuild, Detail: strings.TrimSpace(fmt.Sprintf("%s %v", optionName(o.Tp), o.StrValue))})
		case ast.TableOptionCharset, ast.TableOptionCollate:
			if o.UintValue == ast.TableOptionCharsetWithConvertTo {
				ops = append(ops, Op{Class: OpConvertCharset, Detail: o.StrValue, Narrowing: convertNarrowing(tm, o.StrValue)})
			} else if o.Tp == ast.TableOptionCharset {
				ops = append(ops, Op{Class: OpDefaultCharset, Detail: o.StrValue})
			}
		case ast.TableOptionComment:
			ops = append(ops, Op{Class: OpTableComment})
		case ast.TableOptionAutoIncrement:
			ops = append(ops, Op{Class: OpAutoIncValue})
		default:
			ops = append(ops, Op{Class: OpTableOption, Detail: optionName(o.Tp)})
		}
	}
	return ops
}

func optionName(t ast.TableOptionType) string {
	switch t {
	case ast.TableOptionEngine:
		return "ENGINE"
	case ast.TableOptionRowFormat:
		return "ROW_FORMAT"
	case ast.TableOptionKeyBlockSize:
		return "KEY_BLOCK_SIZE"
	}
	return fmt.Sprintf("option %d", t)
}

// convertNarrowing: CONVERT TO CHARACTER SET cs loses the characters of a
// string column's character set that cs lacks (nil when cs holds them
// all: latin1 or utf8mb3 to utf8mb4 is a widening).
func convertNarrowing(tm *tableModel, cs string) *Narrowing {
	if tm == nil {
		return nil
	}
	cs = normCharset(cs)
	var from, over, unknown []string
	seen := map[string]bool{}
	names := make([]string, 0, len(tm.Cols))
	for k := range tm.Cols {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c := tm.Cols[k]
		if !stringTypes[c.DataType] || c.Charset == "" || c.Charset == "binary" || charsetCovers(cs, c.Charset) {
			continue
		}
		if !seen[c.Charset] {
			seen[c.Charset] = true
			from = append(from, c.Charset)
		}
		if c.snap == nil || c.snap.Stats == nil {
			unknown = append(unknown, c.Name)
			continue
		}
		o, u := charactersFit(c.snap.Stats, cs)
		switch {
		case o != "":
			over = append(over, c.Name+": "+o)
		case u != "":
			unknown = append(unknown, c.Name)
		}
	}
	if len(from) == 0 {
		return nil
	}
	sort.Strings(from)
	n := &Narrowing{From: strings.Join(from, ", "), To: cs, Kind: "characters", Error: 1366, Over: strings.Join(over, "; ")}
	if len(over) == 0 && len(unknown) > 0 {
		n.Unknown = fmt.Sprintf("the statistics do not show which characters %s hold: any %s lacks (emoji, other scripts) does not fit", strings.Join(unknown, ", "), cs)
	}
	return n
}
