// Package history reads the migration history tables of the migration runners
// rehearse recognises (golang-migrate, goose, Flyway, Liquibase, dbmate,
// sql-migrate, Sequelize, Rails, Laravel, Django, Knex, Alembic, Atlas,
// Mattermost's morph). Each runner is one small Reader in a registry; a table
// is attributed to a runner by its name and shape (columns and types), or by
// shape alone when the user names the table (--history-table).
//
// Readers only SELECT from the history table they are given.
package history

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// Entry is one applied (or failed) migration as the runner recorded it.
type Entry struct {
	Version   string     `json:"version"`
	Name      string     `json:"name,omitempty"`
	AppliedAt *time.Time `json:"applied_at,omitempty"`
	Checksum  string     `json:"checksum,omitempty"`
	Dirty     bool       `json:"dirty,omitempty"`  // golang-migrate's dirty flag, an Atlas partial revision
	Failed    bool       `json:"failed,omitempty"` // the runner recorded a failure (Flyway success=0, Liquibase FAILED, Atlas error)
}

// Column is one column of a candidate table, as information_schema.COLUMNS
// reports it (names compared case-insensitively).
type Column struct {
	Name     string
	DataType string // DATA_TYPE: "bigint", "varchar", "tinyint", ...
	Type     string // COLUMN_TYPE: "varchar(128)", "tinyint(1)", ...
}

// Shape is what detection looks at: a table's name and columns, and the
// names of the other tables in the same schema (some runners are told apart
// by a companion table, e.g. Rails' ar_internal_metadata).
type Shape struct {
	Schema  string
	Table   string
	Columns []Column
	Others  map[string]bool // lower-cased names of the schema's tables
}

// Has reports whether the shape has all the named columns (any case).
func (s Shape) Has(names ...string) bool {
	for _, n := range names {
		if s.Col(n) == nil {
			return false
		}
	}
	return true
}

// Col returns the named column (any case) or nil.
func (s Shape) Col(name string) *Column {
	for i := range s.Columns {
		if strings.EqualFold(s.Columns[i].Name, name) {
			return &s.Columns[i]
		}
	}
	return nil
}

// Querier is what a Reader reads through (*sql.DB and *sql.Conn are ones).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Reader reads one runner's history table.
type Reader interface {
	// Runner is the runner's name as snapshots record it ("golang-migrate").
	Runner() string
	// Table is the runner's default table name.
	Table() string
	// Fits reports whether a table of this shape is this runner's history
	// table, looking at columns (and companion tables), not at its name.
	Fits(s Shape) bool
	// Read returns the entries in the order the runner applied them.
	Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error)
}

var registry = map[string]Reader{}

// Register adds a reader; each reader's file registers itself in init.
func Register(r Reader) {
	if _, dup := registry[r.Runner()]; dup {
		panic("history: duplicate reader " + r.Runner())
	}
	registry[r.Runner()] = r
}

// Readers lists the registered readers sorted by runner name.
func Readers() []Reader {
	out := make([]Reader, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Runner() < out[j].Runner() })
	return out
}

// Lookup returns the reader for a runner name.
func Lookup(runner string) (Reader, bool) {
	r, ok := registry[runner]
	return r, ok
}

// Detect returns the reader whose default table name (any case) and shape
// match, or false.
func Detect(s Shape) (Reader, bool) {
	for _, r := range Readers() {
		if strings.EqualFold(r.Table(), s.Table) && r.Fits(s) {
			return r, true
		}
	}
	return nil, false
}

// DetectByShape is Detect for a table the user named: the table name does
// not have to be the runner's default. A reader whose default name matches
// wins over one that only fits the shape.
func DetectByShape(s Shape) (Reader, bool) {
	if r, ok := Detect(s); ok {
		return r, true
	}
	for _, r := range Readers() {
		if r.Fits(s) {
			return r, true
		}
	}
	return nil, false
}

func qualified(schema, table string) string {
	return mysqlkit.Quote(schema) + "." + mysqlkit.Quote(table)
}

// queryStrings runs query and returns every row as nullable strings.
func queryStrings(ctx context.Context, q Querier, query string) ([][]sql.NullString, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]sql.NullString
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// readTable selects cols from schema.table (ordered by orderBy when set) and
// wraps errors with the table's name.
func readTable(ctx context.Context, q Querier, schema, table, orderBy string, cols ...string) ([][]sql.NullString, error) {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = mysqlkit.Quote(c)
	}
	query := "SELECT " + strings.Join(quoted, ", ") + " FROM " + qualified(schema, table)
	if orderBy != "" {
		query += " ORDER BY " + orderBy
	}
	rows, err := queryStrings(ctx, q, query)
	if err != nil {
		return nil, fmt.Errorf("read history table %s.%s: %w", schema, table, err)
	}
	return rows, nil
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// parseTime reads a DATETIME/TIMESTAMP as the driver returns it (text, or
// RFC 3339 when the connection parses times); nil when empty or unreadable.
func parseTime(v sql.NullString) *time.Time {
	if !v.Valid || v.String == "" || strings.HasPrefix(v.String, "0000-00-00") {
		return nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, v.String); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

// truthy reads a boolean column (tinyint, bit, 'true').
func truthy(v sql.NullString) bool {
	if !v.Valid {
		return false
	}
	switch strings.ToLower(v.String) {
	case "1", "true", "t", "y", "yes", "\x01":
		return true
	}
	return false
}

func str(v sql.NullString) string {
	if !v.Valid {
		return ""
	}
	return v.String
}

func isInt(c *Column) bool {
	if c == nil {
		return false
	}
	switch strings.ToLower(c.DataType) {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return true
	}
	return false
}

func isText(c *Column) bool {
	if c == nil {
		return false
	}
	switch strings.ToLower(c.DataType) {
	case "varchar", "char", "text", "tinytext", "mediumtext", "longtext", "varbinary", "binary":
		return true
	}
	return false
}
