package plan

import (
	"regexp"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/rehearse/rehearse/snapshot"
)

// colModel is what the classifier needs to know about a column.
type colModel struct {
	Name     string
	DataType string // lower-case base type: "varchar", "int", "enum", ...
	Len      int64  // character length for strings, 0 when not relevant
	Unsigned bool
	Charset  string
	Nullable bool
	Elems    []string // enum/set values
	Indexed  bool
}

// tableModel is a table as the release sees it at a point of the replay:
// the snapshot's, then changed by each pending statement in order.
type tableModel struct {
	Name        string
	Cols        map[string]*colModel // lower-case name
	HasFulltext bool
	Fulltexts   int // how many FULLTEXT indexes
	Rows        int64
	DataBytes   int64
	IndexBytes  int64
	New         bool // created by this release
	Charset     string
	RowFormat   string // upper case ("DYNAMIC", "REDUNDANT", ...); "" = the server's default
}

// model is the schema the pending statements apply to.
type model struct {
	schema  string
	charset string                 // the database's default character set
	tables  map[string]*tableModel // lower-case name
}

var enumRe = regexp.MustCompile(`'((?:[^']|'')*)'`)

func newModel(snap *snapshot.Snapshot, schema string) *model {
	m := &model{schema: schema, tables: map[string]*tableModel{}}
	for _, sc := range snap.Schemas {
		if sc.Name != schema {
			continue
		}
		m.charset = sc.Charset
		for _, t := range sc.Tables {
			tm := &tableModel{Name: t.Name, Cols: map[string]*colModel{}, Rows: t.Stats.RowCount(),
				DataBytes: t.Stats.DataBytes, IndexBytes: t.Stats.IndexBytes, Charset: charsetOf(t.Collation),
				RowFormat: strings.ToUpper(t.RowFormat)}
			for _, c := range t.Columns {
				cm := &colModel{Name: c.Name, DataType: strings.ToLower(c.DataType), Charset: c.Charset,
					Nullable: c.Nullable, Unsigned: strings.Contains(strings.ToLower(c.Type), "unsigned")}
				if c.CharMaxLength != nil {
					cm.Len = *c.CharMaxLength
				}
				if cm.DataType == "enum" || cm.DataType == "set" {
					for _, e := range enumRe.FindAllStringSubmatch(c.Type, -1) {
						cm.Elems = append(cm.Elems, strings.ReplaceAll(e[1], "''", "'"))
					}
				}
				tm.Cols[strings.ToLower(c.Name)] = cm
			}
			for _, ix := range t.Indexes {
				if strings.EqualFold(ix.Type, "FULLTEXT") {
					tm.addFulltext()
				}
				for _, ic := range ix.Columns {
					if c := tm.Cols[strings.ToLower(ic.Name)]; c != nil {
						c.Indexed = true
					}
				}
			}
			m.tables[strings.ToLower(t.Name)] = tm
		}
	}
	return m
}

func charsetOf(collation string) string {
	if i := strings.IndexByte(collation, '_'); i > 0 {
		return collation[:i]
	}
	return collation
}

func (m *model) table(name string) *tableModel { return m.tables[strings.ToLower(name)] }

// colFromDef turns a parsed column definition into a colModel.
func colFromDef(d *ast.ColumnDef) *colModel {
	tp := d.Tp
	c := &colModel{Name: d.Name.Name.O, Nullable: true}
	if tp != nil {
		c.DataType = baseType(tp.CompactStr())
		c.Charset = tp.GetCharset()
		c.Unsigned = mysql.HasUnsignedFlag(tp.GetFlag())
		c.Elems = tp.GetElems()
		switch c.DataType {
		case "varchar", "char", "varbinary", "binary":
			c.Len = int64(tp.GetFlen())
		}
	}
	for _, o := range d.Options {
		switch o.Tp {
		case ast.ColumnOptionNotNull, ast.ColumnOptionPrimaryKey:
			c.Nullable = false
		case ast.ColumnOptionNull:
			c.Nullable = true
		}
	}
	return c
}

func baseType(s string) string {
	s = strings.ToLower(s)
	if i := strings.IndexAny(s, "( "); i >= 0 {
		s = s[:i]
	}
	switch s {
	case "bool", "boolean":
		return "tinyint"
	case "integer":
		return "int"
	}
	return s
}

// apply changes the model after a statement ran.
func (m *model) apply(n ast.StmtNode) {
	switch s := n.(type) {
	case *ast.CreateTableStmt:
		name := s.Table.Name.O
		if m.table(name) != nil && s.IfNotExists {
			return
		}
		tm := &tableModel{Name: name, Cols: map[string]*colModel{}, New: true}
		if s.ReferTable != nil {
			if src := m.table(s.ReferTable.Name.O); src != nil {
				cp := *src
				cp.Name, cp.New, cp.Rows, cp.DataBytes, cp.IndexBytes = name, true, 0, 0, 0
				tm = &cp
			}
		}
		tm.Charset = m.charset
		for _, o := range s.Options {
			if o.Tp == ast.TableOptionCharset && o.StrValue != "" {
				tm.Charset = strings.ToLower(o.StrValue)
			}
			if o.Tp == ast.TableOptionRowFormat && o.UintValue == ast.RowFormatRedundant {
				tm.RowFormat = "REDUNDANT"
			}
		}
		for _, d := range s.Cols {
			tm.Cols[strings.ToLower(d.Name.Name.O)] = tm.col(d)
		}
		for _, c := range s.Constraints {
			if c.Tp == ast.ConstraintFulltext {
				tm.addFulltext()
			}
			for _, k := range c.Keys {
				if k.Column != nil {
					if col := tm.Cols[k.Column.Name.L]; col != nil {
						col.Indexed = true
					}
				}
			}
		}
		m.tables[strings.ToLower(name)] = tm
	case *ast.DropTableStmt:
		for _, t := range s.Tables {
			delete(m.tables, strings.ToLower(t.Name.O))
		}
	case *ast.RenameTableStmt:
		for _, t2t := range s.TableToTables {
			if tm := m.table(t2t.OldTable.Name.O); tm != nil {
				delete(m.tables, strings.ToLower(tm.Name))
				tm.Name = t2t.NewTable.Name.O
				m.tables[strings.ToLower(tm.Name)] = tm
			}
		}
	case *ast.AlterTableStmt:
		tm := m.table(s.Table.Name.O)
		if tm == nil {
			return
		}
		for _, sp := range s.Specs {
			m.applySpec(tm, sp)
		}
	case *ast.CreateIndexStmt:
		if tm := m.table(s.Table.Name.O); tm != nil {
			if s.KeyType == ast.IndexKeyTypeFulltext {
				tm.addFulltext()
			}
			for _, k := range s.IndexPartSpecifications {
				if k.Column != nil {
					if col := tm.Cols[k.Column.Name.L]; col != nil {
						col.Indexed = true
					}
				}
			}
		}
	}
}

func (m *model) applySpec(tm *tableModel, sp *ast.AlterTableSpec) {
	switch sp.Tp {
	case ast.AlterTableAddColumns:
		for _, d := range sp.NewColumns {
			tm.Cols[strings.ToLower(d.Name.Name.O)] = tm.col(d)
		}
	case ast.AlterTableDropColumn:
		delete(tm.Cols, sp.OldColumnName.Name.L)
	case ast.AlterTableModifyColumn, ast.AlterTableChangeColumn:
		if len(sp.NewColumns) == 0 {
			return
		}
		old := sp.NewColumns[0].Name.Name.L
		if sp.OldColumnName != nil {
			old = sp.OldColumnName.Name.L
		}
		c := tm.col(sp.NewColumns[0])
		if prev := tm.Cols[old]; prev != nil {
			c.Indexed = prev.Indexed
		}
		delete(tm.Cols, old)
		tm.Cols[strings.ToLower(c.Name)] = c
	case ast.AlterTableRenameColumn:
		if c := tm.Cols[sp.OldColumnName.Name.L]; c != nil {
			delete(tm.Cols, sp.OldColumnName.Name.L)
			c.Name = sp.NewColumnName.Name.O
			tm.Cols[strings.ToLower(c.Name)] = c
		}
	case ast.AlterTableAddConstraint:
		if sp.Constraint != nil {
			if sp.Constraint.Tp == ast.ConstraintFulltext {
				tm.addFulltext()
			}
			for _, k := range sp.Constraint.Keys {
				if k.Column != nil {
					if col := tm.Cols[k.Column.Name.L]; col != nil {
						col.Indexed = true
					}
				}
			}
		}
	case ast.AlterTableRenameTable:
		delete(m.tables, strings.ToLower(tm.Name))
		tm.Name = sp.NewTable.Name.O
		m.tables[strings.ToLower(tm.Name)] = tm
	}
}

func lower(s string) string { return strings.ToLower(s) }

// col is colFromDef with the table's character set when the column names none.
func (tm *tableModel) col(d *ast.ColumnDef) *colModel {
	c := colFromDef(d)
	if c.Charset == "" {
		c.Charset = tm.Charset
	}
	return c
}

func (tm *tableModel) addFulltext() {
	tm.HasFulltext = true
	tm.Fulltexts++
}
