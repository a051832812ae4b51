package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
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
				ops = append(ops, addColumnOp(d))
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
			return Op{Class: OpAddPrimaryKey, Detail: "replaces the primary key"}
		}
		return Op{Class: OpAddPrimaryKey}
	case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
		return Op{Class: OpAddUnique, Object: name}
	case ast.ConstraintFulltext:
		return Op{Class: OpAddFulltext, Object: name}
	case ast.ConstraintForeignKey:
		return Op{Class: OpAddForeignKey, Object: name}
	case ast.ConstraintCheck:
		return Op{Class: OpAddCheck, Object: name}
	}
	return Op{Class: OpAddIndex, Object: name}
}

func tableOptionOps(tm *tableModel, opts []*ast.TableOption) []Op {
	var ops []Op
	for _, o := range opts {
		switch o.Tp {
		case ast.TableOptionEngine, ast.TableOptionRowFormat, ast.TableOptionKeyBlockSize:
			ops = append(ops, Op{Class: OpRebuild, Detail: strings.TrimSpace(fmt.Sprintf("%s %v", optionName(o.Tp), o.StrValue))})
		case ast.TableOptionCharset, ast.TableOptionCollate:
			if o.UintValue == ast.TableOptionCharsetWithConvertTo {
				ops = append(ops, Op{Class: OpConvertCharset, Detail: o.StrValue})
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

// modifyOps compares a MODIFY/CHANGE with the column's current definition.
func modifyOps(tm *tableModel, sp *ast.AlterTableSpec) []Op {
	if len(sp.NewColumns) == 0 {
		return []Op{{Class: OpAlterOther}}
	}
	def := sp.NewColumns[0]
	newC := colFromDef(def)
	if newC.Charset == "" && tm != nil {
		newC.Charset = tm.Charset
	}
	oldName := newC.Name
	if sp.OldColumnName != nil {
		oldName = sp.OldColumnName.Name.O
	}
	var ops []Op
	if !strings.EqualFold(oldName, newC.Name) {
		ops = append(ops, Op{Class: OpRenameColumn, Object: oldName, Detail: "-> " + newC.Name})
	}
	var old *colModel
	if tm != nil {
		old = tm.Cols[strings.ToLower(oldName)]
	}
	newType := ""
	if def.Tp != nil {
		newType = def.Tp.CompactStr()
	}
	if old == nil {
		return append(ops, Op{Class: OpChangeType, Object: newC.Name, Detail: "-> " + newType + " (current definition unknown)"})
	}
	detail := old.DataType + " -> " + newType
	switch typeChange(old, newC) {
	case OpModifySame:
	case "":
	default:
		op := Op{Class: typeChange(old, newC), Object: newC.Name, Detail: detail, Indexed: old.Indexed}
		if op.Class == OpExtendVarchar || op.Class == OpExtendVarchar2 {
			op.oldBytes, op.newBytes = maxBytes(old), maxBytes(newC)
		}
		return append(ops, op)
	}
	if sp.Position != nil && sp.Position.Tp != ast.ColumnPositionNone {
		ops = append(ops, Op{Class: OpReorderColumn, Object: newC.Name})
	}
	switch {
	case old.Nullable && !newC.Nullable:
		ops = append(ops, Op{Class: OpMakeNotNull, Object: newC.Name})
	case !old.Nullable && newC.Nullable:
		ops = append(ops, Op{Class: OpMakeNullable, Object: newC.Name})
	}
	if len(ops) == 0 {
		ops = append(ops, Op{Class: OpModifySame, Object: newC.Name, Detail: "same type " + newType})
	}
	return ops
}

var intRank = map[string]int{"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "bigint": 5}

// typeChange classifies a column type change; OpModifySame when the type
// is unchanged.
func typeChange(old, nw *colModel) string {
	if nw.Charset != "" && old.Charset != "" && !strings.EqualFold(nw.Charset, old.Charset) && old.DataType == nw.DataType {
		return OpColumnCharset
	}
	switch {
	case old.DataType == nw.DataType && (old.DataType == "enum" || old.DataType == "set"):
		switch {
		case slices.Equal(old.Elems, nw.Elems):
			return OpModifySame
		case len(nw.Elems) > len(old.Elems) && slices.Equal(old.Elems, nw.Elems[:len(old.Elems)]):
			return OpEnumAppend
		}
		for _, e := range old.Elems {
			if !slices.Contains(nw.Elems, e) {
				return OpEnumRemove
			}
		}
		return OpChangeType // reordered values
	case old.DataType == nw.DataType && (old.DataType == "varchar" || old.DataType == "varbinary"):
		switch {
		case nw.Len == old.Len:
			return OpModifySame
		case nw.Len < old.Len:
			return OpNarrowType
		case lengthBytes(old) == lengthBytes(nw):
			return OpExtendVarchar
		}
		return OpExtendVarchar2
	case old.DataType == nw.DataType && (old.DataType == "char" || old.DataType == "binary"):
		switch {
		case nw.Len == old.Len:
			return OpModifySame
		case nw.Len < old.Len:
			return OpNarrowType
		}
		return OpChangeType
	case intRank[old.DataType] > 0 && intRank[nw.DataType] > 0:
		switch {
		case old.DataType == nw.DataType && old.Unsigned == nw.Unsigned:
			return OpModifySame
		case intRank[nw.DataType] < intRank[old.DataType] || (old.Unsigned != nw.Unsigned):
			return OpNarrowType
		}
		return OpChangeType
	case old.DataType == nw.DataType:
		return OpModifySame
	}
	if textRank[old.DataType] > 0 && textRank[nw.DataType] > 0 && textRank[nw.DataType] < textRank[old.DataType] {
		return OpNarrowType
	}
	return OpChangeType
}

var textRank = map[string]int{"tinytext": 1, "text": 2, "mediumtext": 3, "longtext": 4}

// lengthBytes is how many bytes a VARCHAR's length prefix takes (1 below
// 256 bytes of data, else 2), assuming utf8mb4 when the charset is unknown.
func lengthBytes(c *colModel) int {
	if maxBytes(c) < 256 {
		return 1
	}
	return 2
}

// maxBytes is a string column's maximum length in bytes.
func maxBytes(c *colModel) int64 {
	mb, ok := charsetBytes[strings.ToLower(c.Charset)]
	if !ok {
		mb = 4 // unknown: the widest
		if singleByte[strings.ToLower(c.Charset)] {
			mb = 1
		}
	}
	if c.DataType == "varbinary" {
		mb = 1
	}
	return c.Len * mb
}

// charsetBytes is the maximum bytes per character of the multi-byte
// character sets (and of the common single-byte ones).
var charsetBytes = map[string]int64{
	"utf8mb4": 4, "utf8": 3, "utf8mb3": 3, "ucs2": 2, "utf16": 4, "utf16le": 4, "utf32": 4,
	"big5": 2, "gbk": 2, "gb2312": 2, "gb18030": 4, "sjis": 2, "cp932": 2, "euckr": 2, "ujis": 3, "eucjpms": 3,
	"latin1": 1, "ascii": 1, "binary": 1,
}

// singleByte lists the other single-byte character sets.
var singleByte = map[string]bool{
	"latin2": true, "latin5": true, "latin7": true, "cp1250": true, "cp1251": true, "cp1256": true, "cp1257": true,
	"cp850": true, "cp852": true, "cp866": true, "koi8r": true, "koi8u": true, "greek": true, "hebrew": true,
	"tis620": true, "swe7": true, "dec8": true, "hp8": true, "armscii8": true, "geostd8": true, "keybcs2": true,
	"macce": true, "macroman": true,
}
