package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"
)

// paramKind says which parameters of a type decide how its values are
// stored, and so whether changing them rewrites the rows.
type paramKind int

const (
	paramsDisplay  paramKind = iota // none: INT(11), FLOAT(7,2), DOUBLE(M,D), YEAR(4) change metadata only
	paramsDecimal                   // DECIMAL(p,s): any change is a table copy
	paramsFsp                       // DATETIME/TIMESTAMP/TIME(fsp): any change is a table copy
	paramsWidth                     // BIT(M): any change is a table copy
	paramsFixedLen                  // CHAR(n), BINARY(n): any change is a table copy
	paramsVarLen                    // VARCHAR(n), VARBINARY(n): the byte length and its length prefix decide
	paramsMembers                   // ENUM/SET: appending members is metadata unless the storage size grows
)

// paramKinds is measured, not assumed: testdata/alter-fixtures has an ALTER
// for each row, verified on MariaDB 10.11 and 11.8 and MySQL 9.7 (a type
// absent here has no parameter that changes its storage).
var paramKinds = map[string]paramKind{
	"decimal": paramsDecimal, "datetime": paramsFsp, "timestamp": paramsFsp, "time": paramsFsp, "bit": paramsWidth,
	"char": paramsFixedLen, "binary": paramsFixedLen, "varchar": paramsVarLen, "varbinary": paramsVarLen,
	"enum": paramsMembers, "set": paramsMembers,
}

// stringTypes have a character set and a collation.
var stringTypes = map[string]bool{"char": true, "varchar": true, "tinytext": true, "text": true,
	"mediumtext": true, "longtext": true, "enum": true, "set": true}

// setType fills c's type from a parsed type (a statement's column
// definition, or a snapshot's COLUMN_TYPE), with MySQL's defaults for
// omitted parameters: DECIMAL = DECIMAL(10,0), BIT = BIT(1), CHAR = CHAR(1),
// DATETIME = DATETIME(0).
func (c *colModel) setType(tp *types.FieldType) {
	c.DataType = baseType(tp.CompactStr())
	flag := tp.GetFlag()
	c.Unsigned, c.Zerofill = mysql.HasUnsignedFlag(flag), mysql.HasZerofillFlag(flag)
	c.Elems = tp.GetElems()
	c.Display = tp.CompactStr()
	if c.Unsigned {
		c.Display += " unsigned"
	}
	if c.Zerofill {
		c.Display += " zerofill"
	}
	if tp.GetCharset() == "binary" {
		c.Charset = "binary"
	}
	flen, dec := tp.GetFlen(), tp.GetDecimal()
	or := func(v, def int) int {
		if v < 0 {
			return def
		}
		return v
	}
	switch c.DataType {
	case "varchar", "varbinary", "char", "binary":
		c.Len = int64(or(flen, 1))
	case "decimal":
		c.Prec, c.Scale = or(flen, 10), or(dec, 0)
	case "bit":
		c.Prec = or(flen, 1)
	case "datetime", "timestamp", "time":
		c.Scale = or(dec, 0)
	}
}

// lobType is the TEXT or BLOB type the server picks for TEXT(M)/BLOB(M):
// the smallest that holds bytes.
func lobType(family string, bytes int64) string {
	switch {
	case bytes <= 255:
		return "tiny" + family
	case bytes <= 65535:
		return family
	case bytes <= 16777215:
		return "medium" + family
	}
	return "long" + family
}

// params reads Prec, Scale and Zerofill from a snapshot column's
// COLUMN_TYPE with the statement parser, once, so both sides of a change
// are read the same way. A type the parser lacks (MariaDB's UUID, INET6)
// has no such parameter.
func (c *colModel) params() {
	if c.unparsed == "" {
		return
	}
	t := c.unparsed
	c.unparsed = ""
	n, err := parser.New().ParseOneStmt("CREATE TABLE t (c "+t+")", "", "")
	if err != nil {
		return
	}
	ct, ok := n.(*ast.CreateTableStmt)
	if !ok || len(ct.Cols) != 1 || ct.Cols[0].Tp == nil {
		return
	}
	var p colModel
	p.setType(ct.Cols[0].Tp)
	c.Prec, c.Scale, c.Zerofill = p.Prec, p.Scale, p.Zerofill
	c.Unsigned = c.Unsigned || p.Unsigned
}

// modifyOps compares a MODIFY/CHANGE with the column's current definition.
func modifyOps(tm *tableModel, sp *ast.AlterTableSpec) []Op {
	if len(sp.NewColumns) == 0 {
		return []Op{{Class: OpAlterOther}}
	}
	newC := colFromDef(sp.NewColumns[0], tm)
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
	if old == nil {
		return append(ops, Op{Class: OpChangeType, Object: newC.Name, Detail: "-> " + shortType(newC) + " (current definition unknown)"})
	}
	if old.InPrimary {
		newC.Nullable = false // a primary-key column stays NOT NULL whatever the MODIFY says
	}
	for _, op := range storedChange(old, newC) {
		op.Object = newC.Name
		op.Indexed = op.Indexed || old.Indexed
		if op.Detail == "" {
			op.Detail = shortType(old) + " -> " + shortType(newC)
		}
		switch op.Class {
		case OpNarrowType, OpChangeType, OpColumnCharset, OpEnumRemove:
			op.Narrowing = narrowing(old, newC)
			if op.Narrowing != nil && op.Class == OpChangeType {
				op.Class = OpNarrowType // TEXT to VARCHAR, DATETIME to DATE, DECIMAL to INT ...
			}
		}
		ops = append(ops, op)
	}
	if sp.Position != nil && sp.Position.Tp != ast.ColumnPositionNone {
		ops = append(ops, Op{Class: OpReorderColumn, Object: newC.Name})
	}
	switch {
	case old.Nullable && !newC.Nullable:
		ops = append(ops, Op{Class: OpMakeNotNull, Object: newC.Name, Narrowing: nullsNarrowing(old, newC)})
	case !old.Nullable && newC.Nullable:
		ops = append(ops, Op{Class: OpMakeNullable, Object: newC.Name})
	}
	if len(ops) == 0 {
		ops = append(ops, Op{Class: OpModifySame, Object: newC.Name, Detail: "same type " + shortType(newC)})
	}
	return ops
}

// storedChange classifies what a MODIFY/CHANGE does to a column's stored
// type, character set and collation: nil when they stay (then the server
// changes metadata only, name, default and nullability aside).
func storedChange(old, nw *colModel) []Op {
	old.params()
	if old.DataType != nw.DataType {
		return []Op{{Class: baseTypeChange(old, nw)}}
	}
	switch {
	case old.Unsigned != nw.Unsigned:
		return []Op{{Class: OpNarrowType}} // either way, values outside the new range are lost
	case old.Zerofill != nw.Zerofill:
		return []Op{{Class: OpChangeType}}
	}
	var ops []Op
	switch paramKinds[old.DataType] {
	case paramsDecimal:
		if old.Prec != nw.Prec || old.Scale != nw.Scale {
			return []Op{{Class: widenOrNarrow(nw.Scale >= old.Scale && nw.Prec-nw.Scale >= old.Prec-old.Scale)}}
		}
	case paramsFsp:
		if old.Scale != nw.Scale {
			return []Op{{Class: widenOrNarrow(nw.Scale > old.Scale)}}
		}
	case paramsWidth:
		if old.Prec != nw.Prec {
			return []Op{{Class: widenOrNarrow(nw.Prec > old.Prec)}}
		}
	case paramsFixedLen:
		if old.Len != nw.Len {
			return []Op{{Class: widenOrNarrow(nw.Len > old.Len)}}
		}
	case paramsMembers:
		if op, ok := membersChange(old, nw); ok {
			if op.Class != OpEnumAppend {
				return []Op{op}
			}
			ops = append(ops, op)
		}
	}
	if stringTypes[old.DataType] && old.Charset != "" && nw.Charset != "" {
		switch {
		case !reinterpretable(old.Charset, nw.Charset):
			return []Op{{Class: OpColumnCharset, Detail: fmt.Sprintf("%s -> %s", old.Charset, nw.Charset)}}
		case normCharset(old.Charset) != normCharset(nw.Charset) || (old.Collation != "" && nw.Collation != "" && old.Collation != nw.Collation):
			ops = append(ops, collationOp(old, nw))
		}
	}
	if paramKinds[old.DataType] == paramsVarLen {
		ob, nb := maxBytes(old), maxBytes(nw)
		switch {
		case nw.Len < old.Len || nb < ob:
			return []Op{{Class: OpNarrowType}}
		case nb > ob:
			op := Op{Class: OpExtendVarchar, oldBytes: ob, newBytes: nb}
			if lengthBytes(ob) != lengthBytes(nb) {
				op.Class = OpExtendVarchar2
			}
			ops = append(ops, op)
		}
	}
	return ops
}

func widenOrNarrow(widens bool) string {
	if widens {
		return OpChangeType
	}
	return OpNarrowType
}

var intRank = map[string]int{"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "bigint": 5}

// lobRank orders the TEXT and BLOB types by size within each family.
var lobRank = map[string]int{"tinytext": 1, "text": 2, "mediumtext": 3, "longtext": 4,
	"tinyblob": 11, "blob": 12, "mediumblob": 13, "longblob": 14}

// baseTypeChange classifies a change of the base type.
func baseTypeChange(old, nw *colModel) string {
	o, n := old.DataType, nw.DataType
	switch {
	case intRank[o] > 0 && intRank[n] > 0 && (intRank[n] < intRank[o] || old.Unsigned != nw.Unsigned):
		return OpNarrowType
	case lobRank[o] > 0 && lobRank[n] > 0 && lobRank[n]/10 == lobRank[o]/10 && lobRank[n] < lobRank[o]:
		return OpNarrowType
	}
	return OpChangeType
}

// membersChange classifies an ENUM/SET member change (ok false when the
// members are the same). Appending at the end is metadata only unless the
// storage size grows: ENUM takes 1 byte up to 255 members, 2 up to 65535;
// SET takes 1, 2, 3, 4 or 8 bytes for up to 8, 16, 24, 32, 64 members.
func membersChange(old, nw *colModel) (Op, bool) {
	oe, ne := old.Elems, nw.Elems
	switch {
	case slices.Equal(oe, ne):
		return Op{}, false
	case len(ne) > len(oe) && slices.Equal(oe, ne[:len(oe)]):
		ob, nb := memberBytes(old.DataType, len(oe)), memberBytes(nw.DataType, len(ne))
		if ob != nb {
			return Op{Class: OpChangeType, Detail: fmt.Sprintf("%s of %d -> %d members: its storage grows from %d to %d bytes", old.DataType, len(oe), len(ne), ob, nb)}, true
		}
		return Op{Class: OpEnumAppend}, true
	}
	for _, e := range oe {
		if !slices.Contains(ne, e) {
			return Op{Class: OpEnumRemove}, true
		}
	}
	return Op{Class: OpChangeType}, true // reordered or inserted before the end
}

func memberBytes(dataType string, n int) int {
	if dataType == "enum" {
		if n <= 255 {
			return 1
		}
		return 2
	}
	b := (n + 7) / 8
	if b > 4 {
		return 8
	}
	return b
}

// collationOp is a change of collation, or of utf8mb3 to utf8mb4 (the same
// bytes): metadata only unless an index must be re-sorted.
func collationOp(old, nw *colModel) Op {
	from, to := old.Collation, nw.Collation
	if from == "" || to == "" {
		from, to = old.Charset, nw.Charset
	}
	op := Op{Class: OpChangeCollation, Detail: from + " -> " + to}
	switch {
	case old.DataType == "enum" || old.DataType == "set":
		op.Class = OpChangeEnumCollation
	case old.Indexed && !sameOrder(old.Collation, nw.Collation):
		op.Class = OpChangeCollationIndexed
		op.inPrimary, op.inFulltext = old.InPrimary, old.InFulltext
	}
	return op
}

// shortType is a column's type for messages (ENUM/SET members counted, not
// listed).
func shortType(c *colModel) string {
	t := c.Display
	if t == "" {
		t = c.DataType
	}
	if (c.DataType == "enum" || c.DataType == "set") && len(t) > 60 {
		return fmt.Sprintf("%s(%d values)", c.DataType, len(c.Elems))
	}
	return t
}

// lengthBytes is how many bytes a VARCHAR's length prefix takes for a
// maximum length of maxBytes: 1 up to 255 bytes, else 2.
func lengthBytes(maxBytes int64) int {
	if maxBytes < 256 {
		return 1
	}
	return 2
}

// maxBytes is a string column's maximum length in bytes (for an unknown
// character set, the widest).
func maxBytes(c *colModel) int64 {
	if c.DataType == "varbinary" || c.DataType == "binary" {
		return c.Len
	}
	return c.Len * bytesPerChar(c.Charset)
}
