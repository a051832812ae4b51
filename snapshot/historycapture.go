package snapshot

import (
	"context"
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot/history"
)

// maxHistoryRows bounds the rows kept for an exact restore of one history
// table; entries are always read in full.
var maxHistoryRows = 100000

// captureHistory finds the migration history tables of the captured schemas
// (by name and shape, or the tables the user named) and reads them.
func (s *session) captureHistory(ctx context.Context, schemas []Schema, named []string, versionCol string) ([]History, error) {
	if versionCol != "" && len(named) == 0 {
		return nil, rehearse.WithHint(fmt.Errorf("--history-version-column %s without --history-table", versionCol),
			"name the in-house runner's history table too: --history-table TABLE --history-version-column %s", versionCol)
	}
	var out []History
	used := map[string]bool{}
	for _, n := range named {
		schema, table := "", n
		if i := strings.Index(n, "."); i >= 0 {
			schema, table = n[:i], n[i+1:]
		}
		found := false
		for si := range schemas {
			if schema != "" && schemas[si].Name != schema {
				continue
			}
			for ti := range schemas[si].Tables {
				t := &schemas[si].Tables[ti]
				if !strings.EqualFold(t.Name, table) {
					continue
				}
				found = true
				sh := shapeOf(&schemas[si], t, tableNames(&schemas[si]))
				r, ok := history.DetectByShape(sh)
				if versionCol != "" {
					c := history.Custom{Column: versionCol, OrderBy: primaryKey(t)}
					if !c.Fits(sh) {
						return nil, rehearse.WithHint(fmt.Errorf("--history-version-column %s: %s.%s has no such column (it has %s)", versionCol, schemas[si].Name, t.Name, columnList(t)),
							"name the column that holds the applied version")
					}
					r, ok = c, true
				}
				if !ok {
					return nil, rehearse.WithHint(fmt.Errorf("--history-table %s: %s.%s has columns %s, which is no known runner's history table",
						n, schemas[si].Name, t.Name, columnList(t)), "name a table of one of: %s", runnerList())
				}
				h, err := s.readHistory(ctx, r, schemas[si].Name, t)
				if err != nil {
					return nil, err
				}
				used[schemas[si].Name+"."+t.Name] = true
				out = append(out, h)
			}
		}
		if !found {
			return nil, rehearse.WithHint(fmt.Errorf("--history-table %s: no such table in the captured databases", n),
				"name it as TABLE or DATABASE.TABLE, and include its database in --databases")
		}
	}
	if len(named) > 0 {
		return out, nil
	}
	for si := range schemas {
		others := tableNames(&schemas[si])
		for ti := range schemas[si].Tables {
			t := &schemas[si].Tables[ti]
			r, ok := history.Detect(shapeOf(&schemas[si], t, others))
			if !ok || used[schemas[si].Name+"."+t.Name] {
				continue
			}
			h, err := s.readHistory(ctx, r, schemas[si].Name, t)
			if err != nil {
				return nil, err
			}
			out = append(out, h)
		}
	}
	return out, nil
}

func (s *session) readHistory(ctx context.Context, r history.Reader, schema string, t *Table) (History, error) {
	entries, err := r.Read(ctx, s.conn, schema, t.Name)
	if err != nil {
		if isAccessDenied(err) {
			return History{}, privilegeError(err, "reading history table "+schema+"."+t.Name, "SELECT", s.flavor, schema)
		}
		return History{}, err
	}
	if entries == nil {
		entries = []HistoryEntry{}
	}
	h := History{Runner: r.Runner(), Schema: schema, Table: t.Name, Entries: entries, CreateSQL: t.CreateSQL}
	// Temporal values as the server prints them (not as the driver parses
	// them), so that restore inserts exactly what was read.
	sel := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		q := mysqlkit.Quote(c.Name)
		if k := columnKind(c.DataType); k == "time" {
			q = "CAST(" + q + " AS CHAR) AS " + q
		}
		sel[i] = q
	}
	rs, err := s.rows(ctx, fmt.Sprintf("SELECT %s FROM %s LIMIT %d", strings.Join(sel, ", "), mysqlkit.Qualified(schema, t.Name), maxHistoryRows))
	if err != nil {
		return History{}, fmt.Errorf("read history table %s.%s: %w", schema, t.Name, err)
	}
	for _, rr := range rs {
		m := map[string]*string{}
		for _, c := range t.Columns {
			m[c.Name] = rr.ptr(strings.ToLower(c.Name))
		}
		h.Rows = append(h.Rows, m)
	}
	if len(rs) == maxHistoryRows {
		s.log("warning: history table %s.%s has more than %d rows; the snapshot keeps the first %d for restore", schema, t.Name, maxHistoryRows, maxHistoryRows)
	}
	return h, nil
}

// primaryKey lists the columns of t's primary key.
func primaryKey(t *Table) []string {
	for _, ix := range t.Indexes {
		if ix.Primary {
			var out []string
			for _, c := range ix.Columns {
				if c.Name != "" {
					out = append(out, c.Name)
				}
			}
			return out
		}
	}
	return nil
}

func shapeOf(schema *Schema, t *Table, others map[string]bool) history.Shape {
	sh := history.Shape{Schema: schema.Name, Table: t.Name, Others: others}
	for _, c := range t.Columns {
		sh.Columns = append(sh.Columns, history.Column{Name: c.Name, DataType: c.DataType, Type: c.Type})
	}
	return sh
}

// tableNames is the set of a schema's lower-cased table names.
func tableNames(schema *Schema) map[string]bool {
	out := make(map[string]bool, len(schema.Tables))
	for _, o := range schema.Tables {
		out[strings.ToLower(o.Name)] = true
	}
	return out
}

func columnList(t *Table) string {
	var cs []string
	for _, c := range t.Columns {
		cs = append(cs, c.Name+" "+c.Type)
	}
	return "(" + strings.Join(cs, ", ") + ")"
}

func runnerList() string {
	var rs []string
	for _, r := range history.Readers() {
		rs = append(rs, r.Runner()+" ("+r.Table()+")")
	}
	return strings.Join(rs, ", ")
}
