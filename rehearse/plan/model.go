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
	// snap is the snapshot's column while no statement of the release has
	// redefined it (its statistics describe the values); nil otherwise.
	snap *snapshot.Column
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
			for i := range t.Columns {
				c := &t.Columns[i]
				cm := &colModel{Name: c.Name, DataType: strings.ToLower(c.DataType), Charset: normCharset(c.Charset),
					Collation: normCollation(c.Collation), Nullable: c.Nullable, Display: c.Type, unparsed: c.Type,
					Unsigned: strings.Contains(strings.ToLower(c.Type), "unsigned"), snap: c}
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

// clone is a deep copy of m: the schema at one point of the release.
func (m *model) clone() *model {
	c := *m
	c.tables = make(map[string]*tableModel, len(m.tables))
	for k, t := range m.tables {
		tc := *t
		tc.Cols = make(map[string]*colModel, len(t.Cols))
		for n, col := range t.Cols {
			cc := *col
			tc.Cols[n] = &cc
		}
		c.tables[k] = &tc
	}
	return &c
}

// column describes c as the catalog would (for NarrowFit): the snapshot's
// own column while the release has not redefined it.
func (c *colModel) column() *snapshot.Column {
	if c.snap != nil {
		return c.snap
	}
	c.params()
	col := &snapshot.Column{Name: c.Name, DataType: c.DataType, Type: c.Display, Charset: c.Charset, Collation: c.Collation, Nullable: c.Nullable}
	i64 := func(v int64) *int64 { return &v }
	switch c.DataType {
	case "char", "varchar", "binary", "varbinary":
		col.CharMaxLength = i64(c.Len)
	case "decimal":
		col.NumericPrecision, col.NumericScale = i64(int64(c.Prec)), i64(int64(c.Scale))
	case "bit":
		col.NumericPrecision = i64(int64(c.Prec))
	case "datetime", "timestamp", "time":
		col.DatetimePrecision = i64(int64(c.Scale))
	}
	if col.Type == "" {
		col.Type = c.DataType
	}
	return col
}

// narrowing is what changing old to nw can do to old's values (nil: a
// widening or a metadata change), with what the snapshot's statistics
// say while they still describe the column.
func narrowing(old, nw *colModel) *Narrowing {
	var st *snapshot.ColumnStats
	if old.snap != nil {
		st = old.snap.Stats
	}
	n := NarrowFit(old.column(), nw.column(), st)
	if n != nil && old.snap == nil && n.Over == "" {
		n.Unknown = "the release defined or changed the column before: the snapshot's statistics do not describe its values"
	}
	return n
}

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
			if c.Charset != cs {
				c.snap = nil // converted: the snapshot's statistics describe the old values
			}
			c.Charset, c.Collation = cs, coll
		}
	}
}
