package load

import (
	"strings"

	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot"
)

// tableBuilder makes statement templates for one table of the pre-release
// schema.
type tableBuilder struct {
	schema  string
	t       *snapshot.Table
	cols    map[string]*snapshot.Column // lower-case name
	key     []string                    // primary key (or NOT NULL unique key) columns
	unique  map[string]bool             // columns of any unique key
	fk      map[string]fkRef            // column -> its foreign key's parent
	indexed map[string]bool             // columns that start an index
}

type fkRef struct {
	pool poolSpec
	idx  int
}

func newTableBuilder(schema string, t *snapshot.Table) *tableBuilder {
	b := &tableBuilder{schema: schema, t: t, cols: map[string]*snapshot.Column{},
		unique: map[string]bool{}, fk: map[string]fkRef{}, indexed: map[string]bool{}}
	for i := range t.Columns {
		b.cols[strings.ToLower(t.Columns[i].Name)] = &t.Columns[i]
	}
	var uniq []string
	for _, ix := range t.Indexes {
		names, plain := indexColumns(ix)
		if len(ix.Columns) > 0 && ix.Columns[0].Name != "" {
			b.indexed[strings.ToLower(ix.Columns[0].Name)] = true
		}
		if ix.Primary || ix.Unique {
			for _, n := range names {
				b.unique[strings.ToLower(n)] = true
			}
		}
		if !plain {
			continue
		}
		switch {
		case ix.Primary:
			b.key = names
		case ix.Unique && uniq == nil && b.allNotNull(names):
			uniq = names
		}
	}
	if b.key == nil {
		b.key = uniq
	}
	for _, fk := range t.ForeignKeys {
		rs := fk.RefSchema
		if rs == "" {
			rs = schema
		}
		spec := poolSpec{Schema: rs, Table: fk.RefTable, Columns: strings.Join(fk.RefColumns, ",")}
		spec.IntFirst = len(fk.RefColumns) > 0 && b.isInt(fk.Columns[0]) // InnoDB indexes referenced columns
		for i, c := range fk.Columns {
			b.fk[strings.ToLower(c)] = fkRef{pool: spec, idx: i}
		}
	}
	return b
}

// indexColumns returns an index's column names and whether every part is
// a plain whole column (no expression, no prefix).
func indexColumns(ix snapshot.Index) ([]string, bool) {
	var names []string
	plain := true
	for _, c := range ix.Columns {
		if c.Name == "" || c.Expression != "" || c.SubPart > 0 {
			plain = false
			continue
		}
		names = append(names, c.Name)
	}
	return names, plain
}

func (b *tableBuilder) allNotNull(names []string) bool {
	for _, n := range names {
		c := b.cols[strings.ToLower(n)]
		if c == nil || c.Nullable {
			return false
		}
	}
	return true
}

func (b *tableBuilder) isInt(name string) bool {
	c := b.cols[strings.ToLower(name)]
	if c == nil {
		return false
	}
	switch strings.ToLower(c.DataType) {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return true
	}
	return false
}

func (b *tableBuilder) keyPool() poolSpec {
	return poolSpec{Schema: b.schema, Table: b.t.Name, Columns: strings.Join(b.key, ","), IntFirst: len(b.key) > 0 && b.isInt(b.key[0])}
}

// writable reports whether an insert or update may set the column.
func writable(c *snapshot.Column) bool {
	e := strings.ToLower(c.Extra)
	return c.Generated == "" && !strings.Contains(e, "generated") && !strings.Contains(e, "auto_increment")
}

// template builds one statement shape. cols are the columns an insert
// lists, an update sets or a read selects (nil: the default choice);
// where are the columns a key lookup uses (nil: the key). It returns false
// when the table cannot have this kind of statement (no key for a lookup,
// nothing to insert).
func (b *tableBuilder) template(kind Kind, cols, where []string) (Template, bool) {
	t := Template{Kind: kind, Schema: b.schema, Table: b.t.Name, table: b.t}
	name := qualified(b.schema, b.t.Name)
	if kind == Insert {
		if cols == nil {
			for i := range b.t.Columns {
				if writable(&b.t.Columns[i]) {
					cols = append(cols, b.t.Columns[i].Name)
				}
			}
		}
		if len(cols) == 0 {
			return t, false
		}
		pos := map[string]int{}
		ph := make([]string, len(cols))
		for i, c := range cols {
			pos[strings.ToLower(c)] = i
			ph[i] = datagen.Placeholder(b.t, c)
			a := b.valueArg(c)
			a.server = a.col != nil && !writable(a.col)
			t.args = append(t.args, a)
		}
		t.SQL = "INSERT INTO " + name + " (" + quoteList(cols) + ") VALUES (" + strings.Join(ph, ", ") + ")"
		t.Columns = cols
		if len(b.key) > 0 {
			t.insertPool = b.keyPool()
			if len(b.key) == 1 && b.cols[strings.ToLower(b.key[0])] != nil &&
				strings.Contains(strings.ToLower(b.cols[strings.ToLower(b.key[0])].Extra), "auto_increment") {
				t.autoInc = true
			} else {
				for _, k := range b.key {
					i, ok := pos[strings.ToLower(k)]
					if !ok {
						t.newKey = nil
						break
					}
					t.newKey = append(t.newKey, i)
				}
			}
		}
		return t, true
	}
	if where == nil {
		where = b.key
	}
	if len(where) == 0 {
		return t, false
	}
	t.pool = poolSpec{Schema: b.schema, Table: b.t.Name, Columns: strings.Join(where, ","),
		IntFirst: b.isInt(where[0]) && (b.indexed[strings.ToLower(where[0])] || equalFold(where, b.key))}
	cond := make([]string, len(where))
	keyArgs := make([]arg, len(where))
	for i, w := range where {
		cond[i] = mysqlkit.Quote(w) + " = ?"
		keyArgs[i] = arg{kind: argKey, idx: i, name: w, col: b.cols[strings.ToLower(w)]}
	}
	whereSQL := " WHERE " + strings.Join(cond, " AND ")
	switch kind {
	case Update:
		if cols == nil {
			cols = []string{b.updateColumn()}
		}
		set := make([]string, len(cols))
		for i, c := range cols {
			set[i] = mysqlkit.Quote(c) + " = " + datagen.Placeholder(b.t, c)
			t.args = append(t.args, b.valueArg(c))
		}
		t.SQL = "UPDATE " + name + " SET " + strings.Join(set, ", ") + whereSQL
		t.Columns = cols
	case Delete:
		t.SQL = "DELETE FROM " + name + whereSQL
	case Read:
		if cols == nil {
			for i := range b.t.Columns {
				cols = append(cols, b.t.Columns[i].Name)
			}
		}
		list := quoteList(cols)
		if len(cols) == 1 && cols[0] == "*" {
			list = "*"
		}
		t.SQL = "SELECT " + list + " FROM " + name + whereSQL
		t.Columns = cols
	}
	t.args = append(t.args, keyArgs...)
	return t, true
}

// updateColumn picks the column a default update sets: a writable column
// outside every key and foreign key, preferably not indexed; the first key
// column (set to itself) when there is none.
func (b *tableBuilder) updateColumn() string {
	best := ""
	for i := range b.t.Columns {
		c := &b.t.Columns[i]
		n := strings.ToLower(c.Name)
		if !writable(c) || b.unique[n] {
			continue
		}
		if _, isFK := b.fk[n]; isFK {
			continue
		}
		if !b.indexed[n] {
			return c.Name
		}
		if best == "" {
			best = c.Name
		}
	}
	if best == "" && len(b.key) > 0 {
		best = b.key[0]
	}
	return best
}

// valueArg says how to fill a written column: with its value in a new row
// of the table (a column the pre-release schema lacks gets a short string).
func (b *tableBuilder) valueArg(name string) arg {
	n := strings.ToLower(name)
	a := arg{kind: argValue, name: name, col: b.cols[n]}
	if r, ok := b.fk[n]; ok {
		a.ref, a.idx = r.pool, r.idx
	}
	return a
}

func equalFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

func qualified(schema, table string) string {
	if schema == "" {
		return mysqlkit.Quote(table)
	}
	return mysqlkit.Quote(schema) + "." + mysqlkit.Quote(table)
}

func quoteList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = mysqlkit.Quote(c)
	}
	return strings.Join(q, ", ")
}
