package snapshot

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// LiteralQuery is one column-to-literal comparison a pending DML statement
// makes (`col = 'x'`, `col <> 'x'`, `col IN (…)`, `col IS NULL`). The
// literals come from the migration files, never from production; the
// capture counts production's rows for them (CaptureOptions.Literals).
type LiteralQuery struct {
	Schema string    // "" = every captured database holding the table
	Table  string    // as the statement names it
	Column string    // as the statement names it
	Values []*string // the literals; nil = NULL (IS NULL)
	At     string    // where the statement is: "FILE:LINE"
}

// LiteralStats is what production holds for one literal of the pending
// release (snapshot field `literals`): aggregates only. Rows matching
// `col <> v` are the table's non-NULL rows minus Rows; `IN` sums its
// literals' Rows.
type LiteralStats struct {
	Schema string  `json:"schema"`
	Table  string  `json:"table"`
	Column string  `json:"column"`
	Value  *string `json:"value"` // from the migration files; null: IS NULL
	// Rows is how many rows hold the value (IS NULL: are NULL).
	Rows int64 `json:"rows"`
	// ReferencedBy: per foreign key referencing the table, how many child
	// rows reference a parent row that holds the value.
	ReferencedBy []LiteralRef `json:"referenced_by,omitempty"`
	// Statements lists where the release compares the column to it.
	Statements []string `json:"statements,omitempty"`
}

// LiteralRef counts a foreign key's child rows referencing matching rows.
type LiteralRef struct {
	Schema     string `json:"schema"`
	Table      string `json:"table"`
	ForeignKey string `json:"foreign_key"`
	Rows       int64  `json:"rows"`
}

// Literal is the stats of (schema, table, column, value), or nil.
func (s *Snapshot) Literal(schema, table, column string, value *string) *LiteralStats {
	for i := range s.Literals {
		l := &s.Literals[i]
		if l.Schema == schema && strings.EqualFold(l.Table, table) && strings.EqualFold(l.Column, column) && sameLiteral(l.Value, value) {
			return l
		}
	}
	return nil
}

func sameLiteral(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// CaptureLiterals adds to snap (just captured from the server behind db)
// production's counts for the pending release's literals qs (rehearse
// snapshot --migrations; the caller finds the pending migrations from
// snap's history): one read-only session as Capture's, each COUNT(*) one
// statement within opts.MaxLockHold. db is not closed.
func CaptureLiterals(ctx context.Context, db *sql.DB, snap *Snapshot, qs []LiteralQuery, opts CaptureOptions) error {
	if len(qs) == 0 {
		return nil
	}
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = 30 * time.Second
	}
	if opts.MaxLockHold <= 0 {
		opts.MaxLockHold = DefaultMaxLockHold
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	s, err := openSession(ctx, db, opts.StatementTimeout, opts.MaxLockHold, logf)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.captureLiterals(ctx, snap, qs)
}

// captureLiterals counts, for each literal of qs, the rows holding it and
// the child rows of each foreign key referencing such rows: COUNT(*) only,
// each statement within the lock budget. A count that exceeds it is left
// out with a warning.
func (s *session) captureLiterals(ctx context.Context, snap *Snapshot, qs []LiteralQuery) error {
	for _, q := range qs {
		for si := range snap.Schemas {
			sc := &snap.Schemas[si]
			if q.Schema != "" && q.Schema != sc.Name {
				continue
			}
			t := findTable(sc, q.Table)
			if t == nil || findColumn(t, q.Column) == "" {
				continue
			}
			col := findColumn(t, q.Column)
			for _, v := range q.Values {
				if l := snap.Literal(sc.Name, t.Name, col, v); l != nil {
					l.Statements = appendNew(l.Statements, q.At)
					continue
				}
				l, err := s.countLiteral(ctx, snap, sc.Name, t, col, v)
				if err != nil {
					if isLockWait(err) || isTimeout(err) {
						s.log("warning: --migrations: counting %s.%s.%s for %s exceeded --max-lock-hold (%s); no literal statistics for it", sc.Name, t.Name, col, q.At, s.budget)
						continue
					}
					return fmt.Errorf("--migrations: count %s.%s.%s for %s: %w", sc.Name, t.Name, col, q.At, err)
				}
				l.Statements = []string{q.At}
				snap.Literals = append(snap.Literals, *l)
			}
		}
	}
	return nil
}

func (s *session) countLiteral(ctx context.Context, snap *Snapshot, schema string, t *Table, col string, v *string) (*LiteralStats, error) {
	l := &LiteralStats{Schema: schema, Table: t.Name, Column: col, Value: v}
	cond, args := "p."+mysqlkit.Quote(col)+" IS NULL", []any(nil)
	if v != nil {
		cond, args = "p."+mysqlkit.Quote(col)+" = ?", []any{*v}
	}
	tbl := mysqlkit.Qualified(schema, t.Name)
	if err := s.conn.QueryRowContext(ctx, s.bounded("SELECT COUNT(*) FROM "+tbl+" AS p WHERE "+cond), args...).Scan(&l.Rows); err != nil {
		return nil, err
	}
	for _, sc := range snap.Schemas {
		for _, ct := range sc.Tables {
			for _, fk := range ct.ForeignKeys {
				if fk.RefSchema != schema || fk.RefTable != t.Name || len(fk.Columns) != len(fk.RefColumns) {
					continue
				}
				var on []string
				for i := range fk.Columns {
					on = append(on, "c."+mysqlkit.Quote(fk.Columns[i])+" = p."+mysqlkit.Quote(fk.RefColumns[i]))
				}
				q := "SELECT COUNT(*) FROM " + mysqlkit.Qualified(sc.Name, ct.Name) + " AS c JOIN " + tbl + " AS p ON " + strings.Join(on, " AND ") + " WHERE " + cond
				var n int64
				if err := s.conn.QueryRowContext(ctx, s.bounded(q), args...).Scan(&n); err != nil {
					return nil, err
				}
				l.ReferencedBy = append(l.ReferencedBy, LiteralRef{Schema: sc.Name, Table: ct.Name, ForeignKey: fk.Name, Rows: n})
			}
		}
	}
	return l, nil
}

func findTable(sc *Schema, name string) *Table {
	for i := range sc.Tables {
		if strings.EqualFold(sc.Tables[i].Name, name) {
			return &sc.Tables[i]
		}
	}
	return nil
}

func findColumn(t *Table, name string) string {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c.Name
		}
	}
	return ""
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// checkLiterals validates the literals field: each names a captured
// table and column, counts are not negative, and each reference names a
// foreign key of a captured table that references the literal's table.
func (c *checker) checkLiterals(s *Snapshot) {
	for i, l := range s.Literals {
		p := fmt.Sprintf("/literals/%d", i)
		t := s.Table(l.Schema, l.Table)
		if t == nil {
			c.add(p+"/table", "literal statistics for %s.%s: no such table in the snapshot", l.Schema, l.Table)
			continue
		}
		if findColumn(t, l.Column) != l.Column {
			c.add(p+"/column", "literal statistics for %s.%s.%s: no such column", l.Schema, l.Table, l.Column)
		}
		if l.Rows < 0 {
			c.add(p+"/rows", "negative row count %d", l.Rows)
		}
		for j, r := range l.ReferencedBy {
			rp := fmt.Sprintf("%s/referenced_by/%d", p, j)
			ct := s.Table(r.Schema, r.Table)
			ok := false
			if ct != nil {
				for _, fk := range ct.ForeignKeys {
					ok = ok || (fk.Name == r.ForeignKey && fk.RefSchema == l.Schema && fk.RefTable == l.Table)
				}
			}
			if !ok {
				c.add(rp+"/foreign_key", "foreign key %s of %s.%s does not reference %s.%s in the snapshot", r.ForeignKey, r.Schema, r.Table, l.Schema, l.Table)
			}
			if r.Rows < 0 {
				c.add(rp+"/rows", "negative row count %d", r.Rows)
			}
		}
	}
}
