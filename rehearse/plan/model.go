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
	DataType string // lower-case base type: "varchar", "int", "enum", ...; TEXT(M)/BLOB(M) as the type the server picks
	Len      int64  // CHAR/VARCHAR length in characters, BINARY/VARBINARY in bytes; 0 when not relevant
	// Prec and Scale are the type parameters that decide the stored format:
	// DECIMAL(Prec,Scale), BIT(Prec), DATETIME/TIMESTAMP/TIME(Scale). Integer
	// display widths and FLOAT/DOUBLE(M,D) change metadata only and are not
	// kept (see paramKinds).
	Prec, Scale int
	Unsigned    bool
	Zerofill    bool
	Charset     string // normalised (utf8 is utf8mb3); "binary" for binary strings
	Collation   string // normalised; "" = unknown
	Nullable    bool
	Elems       []string // enum/set values
	Indexed     bool     // part of an index
	InPrimary   bool     // part of the primary key
	InFulltext  bool     // part of a FULLTEXT index
	Display     string   // the type as the snapshot or the statement spells it, for messages
	// unparsed is the snapshot's COLUMN_TYPE, parsed for Prec, Scale and
	// Zerofill when a statement first changes the column (params).
	unparsed string
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
	Collation   string // the table's default collation ("" = unknown)
	RowFormat   string // upper case ("DYNAMIC", "REDUNDANT", ...); "" = the server's default
	defaults    *charsetDefaults
}

// model is the schema the pending statements apply to.
type model struct {
	schema    string
	charset   string                 // the database's default character set
	collation string                 // and collation
	tables    map[string]*tableModel // lower-case name
	// defaults is the server's default collation per character set (nil:
	// the generic defaults).
	defaults *charsetDefaults
}

var enumRe = regexp.MustCompile(`'((?:[^']|'')*)'`)

func newModel(snap *snapshot.Snapshot, schema string) *model {
	m := &model{schema: schema, tables: map[string]*tableModel{},
		defaults: newCharsetDefaults(parseServer(snap.Source.Flavor, snap.Source.Version), snap.Settings)}
	for _, sc := range snap.Schemas {
		if sc.Name != schema {
			continue
		}
		m.charset, m.collation = normCharset(sc.Charset), normCollation(sc.Collation)
		for _, t := range sc.Tables {
			tm := &tableModel{Name: t.Name, Cols: map[string]*colModel{}, Rows: t.Stats.RowCount(),
				DataBytes: t.Stats.DataBytes, IndexBytes: t.Stats.IndexBytes, Charset: charsetOf(t.Collation),
				Collation: normCollation(t.Collation), RowFormat: strings.ToUpper(t.RowFormat), defaults: m.defaults}
			for _, c := range t.Columns {
				cm := &colModel{Name: c.Name, DataType: strings.ToLower(c.DataType), Charset: normCharset(c.Charset),
					Collation: normCollation(c.Collation), Nullable: c.Nullable, Display: c.Type, unparsed: c.Type,
					Unsigned: strings.Contains(strings.ToLower(c.Type), "unsigned")}
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
				ft := strings.EqualFold(ix.Type, "FULLTEXT")
				if ft {
					tm.addFulltext()
				}
				for _, ic := range ix.Columns {
					if c := tm.Cols[strings.ToLower(ic.Name)]; c != nil {
						c.Indexed = true
						c.InPrimary = c.InPrimary || ix.Primary
						c.InFulltext = c.InFulltext || ft
					}
				}
			}
			m.tables[strings.ToLower(t.Name)] = tm
		}
	}
	return m
}

func (m *model) table(name string) *tableModel { return m.tables[strings.ToLower(name)] }

// colFromDef turns a parsed column definition into a colModel. tm (nil
// when unknown) gives the character set and collation a string column
// inherits and the server's default collation of a character set it names.
func colFromDef(d *ast.ColumnDef, tm *tableModel) *colModel {
	c := &colModel{Name: d.Name.Name.O, Nullable: true}
	collate := ""
	for _, o := range d.Options {
		switch o.Tp {
		case ast.ColumnOptionNotNull:
			c.Nullable = false
		case ast.ColumnOptionPrimaryKey:
			c.Nullable, c.Indexed, c.InPrimary = false, true, true
		case ast.ColumnOptionUniqKey:
			c.Indexed = true
		case ast.ColumnOptionNull:
			c.Nullable = true
		case ast.ColumnOptionCollate:
			collate = o.StrValue
		}
	}
	if d.Tp == nil {
		return c
	}
	c.setType(d.Tp)
	m := int64(d.Tp.GetFlen()) // TEXT(M), BLOB(M)
	if c.DataType == "blob" && m > 0 {
		c.DataType = lobType("blob", m)
	}
	if !stringTypes[c.DataType] {
		return c
	}
	cs, coll := normCharset(d.Tp.GetCharset()), normCollation(d.Tp.GetCollate())
	if collate != "" {
		coll = normCollation(collate)
	}
	var defaults *charsetDefaults
	if tm != nil {
		defaults = tm.defaults
	}
	switch {
	case coll != "" && cs == "":
		cs = charsetOf(coll)
	case coll == "" && cs != "":
		coll = defaults.collation(cs)
	case coll == "" && tm != nil:
		cs, coll = tm.Charset, tm.Collation
	}
	if coll != "" && mysql.HasBinaryFlag(d.Tp.GetFlag()) && collate == "" {
		coll = cs + "_bin" // VARCHAR(n) BINARY: the character set's binary collation
	}
	c.Charset, c.Collation = cs, coll
	if c.DataType == "text" && m > 0 {
		c.DataType = lobType("text", m*bytesPerChar(cs))
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
		tm := &tableModel{Name: name, Cols: map[string]*colModel{}, New: true, Charset: m.charset, Collation: m.collation}
		if s.ReferTable != nil {
			if src := m.table(s.ReferTable.Name.O); src != nil {
				cp := *src
				cp.Name, cp.New, cp.Rows, cp.DataBytes, cp.IndexBytes = name, true, 0, 0, 0
				cp.Cols = make(map[string]*colModel, len(src.Cols))
				for k, c := range src.Cols {
					cc := *c
					cp.Cols[k] = &cc
				}
				tm = &cp
			}
		}
		tm.defaults = m.defaults
		tm.tableCharset(s.Options)
		for _, o := range s.Options {
			if o.Tp == ast.TableOptionRowFormat && o.UintValue == ast.RowFormatRedundant {
				tm.RowFormat = "REDUNDANT"
			}
		}
		for _, d := range s.Cols {
			tm.Cols[strings.ToLower(d.Name.Name.O)] = tm.col(d)
		}
		for _, c := range s.Constraints {
			tm.addConstraint(c)
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
						col.InFulltext = col.InFulltext || s.KeyType == ast.IndexKeyTypeFulltext
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
			c.Indexed, c.InPrimary, c.InFulltext = c.Indexed || prev.Indexed, c.InPrimary || prev.InPrimary, prev.InFulltext
			c.Nullable = c.Nullable && !c.InPrimary
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
			tm.addConstraint(sp.Constraint)
		}
	case ast.AlterTableOption:
		tm.tableCharset(sp.Options)
	case ast.AlterTableRenameTable:
		delete(m.tables, strings.ToLower(tm.Name))
		tm.Name = sp.NewTable.Name.O
		m.tables[strings.ToLower(tm.Name)] = tm
	}
}

func lower(s string) string { return strings.ToLower(s) }

// col is colFromDef for a column of tm.
func (tm *tableModel) col(d *ast.ColumnDef) *colModel { return colFromDef(d, tm) }

func (tm *tableModel) addFulltext() {
	tm.HasFulltext = true
	tm.Fulltexts++
}

// addConstraint records an index (or key) of tm on its columns.
func (tm *tableModel) addConstraint(c *ast.Constraint) {
	ft := c.Tp == ast.ConstraintFulltext
	if ft {
		tm.addFulltext()
	}
	for _, k := range c.Keys {
		if k.Column == nil {
			continue
		}
		if col := tm.Cols[k.Column.Name.L]; col != nil {
			col.Indexed = true
			col.InPrimary = col.InPrimary || c.Tp == ast.ConstraintPrimaryKey
			col.InFulltext = col.InFulltext || ft
		}
	}
}

// tableCharset applies [DEFAULT] CHARACTER SET / COLLATE table options (and
// CONVERT TO CHARACTER SET, which also converts the string columns).
func (tm *tableModel) tableCharset(opts []*ast.TableOption) {
	cs, coll, convert := "", "", false
	for _, o := range opts {
		switch {
		case o.Tp == ast.TableOptionCharset && o.StrValue != "":
			cs = normCharset(o.StrValue)
			convert = convert || o.UintValue == ast.TableOptionCharsetWithConvertTo
		case o.Tp == ast.TableOptionCollate && o.StrValue != "":
			coll = normCollation(o.StrValue)
		}
	}
	switch {
	case cs == "" && coll == "":
		return
	case coll == "":
		coll = tm.defaults.collation(cs)
	case cs == "":
		cs = charsetOf(coll)
	}
	tm.Charset, tm.Collation = cs, coll
	if !convert {
		return
	}
	for _, c := range tm.Cols {
		if stringTypes[c.DataType] && c.Charset != "binary" {
			c.Charset, c.Collation = cs, coll
		}
	}
}
