package run

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/snapshot"
)

// schemaState is the migration database's schema at one moment, normalised
// (no statistics, no identity, no history rows) so two states compare equal
// exactly when their definitions are the same.
type schemaState = snapshot.Schema

// capture reads the migration database's schema from the sandbox.
func (r *rehearsal) capture(ctx context.Context) (*schemaState, error) {
	return captureSchema(ctx, r.db, r.schema)
}

// captureSchema reads database schema's schema from db, normalised.
func captureSchema(ctx context.Context, db *sql.DB, schema string) (*schemaState, error) {
	snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{
		Databases:          []string{schema},
		SkipPrivilegeCheck: true,
	})
	if err != nil {
		return nil, err
	}
	n := snapshot.Normalize(snap, snapshot.NormalizeOptions{})
	for i := range n.Schemas {
		if n.Schemas[i].Name == schema {
			return &n.Schemas[i], nil
		}
	}
	return &schemaState{Name: schema}, nil
}

// diffSchemas lists the objects that differ between two states, one line
// each ("table investments: definition differs", "column t.c: missing").
func diffSchemas(a, b *schemaState) []string { return formatDiff(diffParts(a, b)) }

// diffParts is diffSchemas by object ("table t", "view v", ...): what
// differs, one part each.
func diffParts(a, b *schemaState) map[string][]string {
	if a == nil || b == nil {
		return nil
	}
	out := map[string][]string{}
	objs := func(s *schemaState) map[string]string {
		m := map[string]string{}
		for _, t := range s.Tables {
			m["table "+t.Name] = t.CreateSQL
		}
		for _, v := range s.Views {
			m["view "+v.Name] = v.CreateSQL
		}
		for _, t := range s.Triggers {
			m["trigger "+t.Name] = t.CreateSQL
		}
		for _, x := range s.Routines {
			m[fmt.Sprintf("%s %s", lower(x.Type), x.Name)] = x.CreateSQL
		}
		for _, e := range s.Events {
			m["event "+e.Name] = e.CreateSQL
		}
		return m
	}
	am, bm := objs(a), objs(b)
	for k, v := range am {
		w, ok := bm[k]
		switch {
		case !ok:
			out[k] = []string{"missing (it existed before)"}
		case v != w:
			if strings.HasPrefix(k, "table ") {
				parts := tableDiff(findTable(a, k[6:]), findTable(b, k[6:]))
				if len(parts) > 0 { // none: only the order of index clauses differs
					out[k] = parts
				}
				continue
			}
			out[k] = []string{"definition differs"}
		}
	}
	for k := range bm {
		if _, ok := am[k]; !ok {
			out[k] = []string{"added (it did not exist before)"}
		}
	}
	return out
}

// formatDiff writes diffParts as diffSchemas's lines, sorted.
func formatDiff(d map[string][]string) []string {
	var out []string
	for k, parts := range d {
		if len(parts) > 0 {
			out = append(out, k+": "+strings.Join(parts, ", "))
		}
	}
	sort.Strings(out)
	return out
}

// netDiff is what differs between a and b that did not already differ
// between a0 and b0: the part of a down's result that is its own, when the
// downs before it left differences of their own (a0: the schema they should
// have restored, b0: the schema they left).
func netDiff(a, b, a0, b0 *schemaState) []string {
	own, prior := diffParts(a, b), diffParts(a0, b0)
	for k, parts := range own {
		had := map[string]bool{}
		for _, p := range prior[k] {
			had[p] = true
		}
		kept := parts[:0]
		for _, p := range parts {
			if !had[p] {
				kept = append(kept, p)
			}
		}
		own[k] = kept
	}
	return formatDiff(own)
}

// tableDiff names what differs between two definitions of a table:
// columns (in order), indexes (as a set, by name), foreign keys, checks and
// table options. Nothing when only the order of index clauses differs, which
// a dropped and re-created index changes without changing the table.
func tableDiff(ta, tb *snapshot.Table) []string {
	if ta == nil || tb == nil {
		return []string{"definition differs"}
	}
	var parts []string
	col := func(c snapshot.Column) string {
		d := "no default"
		if c.Default != nil {
			d = "default " + *c.Default
		}
		return fmt.Sprintf("%s null=%v %s %s %s %s", c.Type, c.Nullable, d, c.Extra, c.Collation, c.Generated)
	}
	ca, cb := map[string]string{}, map[string]string{}
	var orderA, orderB []string
	for _, c := range ta.Columns {
		ca[c.Name] = col(c)
		orderA = append(orderA, c.Name)
	}
	for _, c := range tb.Columns {
		cb[c.Name] = col(c)
		orderB = append(orderB, c.Name)
	}
	for _, n := range orderA {
		if e, ok := cb[n]; !ok {
			parts = append(parts, "column "+n+" missing")
		} else if e != ca[n] {
			parts = append(parts, fmt.Sprintf("column %s changed (%s -> %s)", n, strings.Join(strings.Fields(ca[n]), " "), strings.Join(strings.Fields(e), " ")))
		}
	}
	for _, n := range orderB {
		if _, ok := ca[n]; !ok {
			parts = append(parts, "extra column "+n)
		}
	}
	if len(parts) == 0 && strings.Join(orderA, ",") != strings.Join(orderB, ",") {
		parts = append(parts, "column order differs")
	}
	idx := func(t *snapshot.Table) map[string]string {
		m := map[string]string{}
		for _, i := range t.Indexes {
			var cols []string
			for _, c := range i.Columns {
				cols = append(cols, fmt.Sprintf("%s%s/%d/%v", c.Name, c.Expression, c.SubPart, c.Descending))
			}
			m[i.Name] = fmt.Sprintf("%v %v %s %s", i.Primary, i.Unique, i.Type, strings.Join(cols, ","))
		}
		return m
	}
	ia, ib := idx(ta), idx(tb)
	for _, n := range sortedKeys(ia) {
		if d, ok := ib[n]; !ok {
			parts = append(parts, "index "+n+" missing")
		} else if d != ia[n] {
			parts = append(parts, "index "+n+" changed")
		}
	}
	for _, n := range sortedKeys(ib) {
		if _, ok := ia[n]; !ok {
			parts = append(parts, "extra index "+n)
		}
	}
	fk := func(t *snapshot.Table) map[string]string {
		m := map[string]string{}
		for _, f := range t.ForeignKeys {
			m[f.Name] = fmt.Sprintf("%v %s.%s %v %s %s", f.Columns, f.RefSchema, f.RefTable, f.RefColumns, f.OnUpdate, f.OnDelete)
		}
		for _, c := range t.Checks {
			m["check "+c.Name] = c.Clause
		}
		return m
	}
	fa, fb := fk(ta), fk(tb)
	for _, n := range sortedKeys(fa) {
		if d, ok := fb[n]; !ok {
			parts = append(parts, "constraint "+n+" missing")
		} else if d != fa[n] {
			parts = append(parts, "constraint "+n+" changed")
		}
	}
	for _, n := range sortedKeys(fb) {
		if _, ok := fa[n]; !ok {
			parts = append(parts, "extra constraint "+n)
		}
	}
	if ta.Engine != tb.Engine || ta.RowFormat != tb.RowFormat || ta.Collation != tb.Collation || ta.Partitioning != tb.Partitioning || ta.Comment != tb.Comment {
		parts = append(parts, "table options differ")
	}
	return parts
}

// droppedObjects lists tables and columns present before an up and gone
// after it: data a down cannot bring back.
func droppedObjects(before, after *schemaState) []string {
	if before == nil || after == nil {
		return nil
	}
	var out []string
	for _, t := range before.Tables {
		ta := findTable(after, t.Name)
		if ta == nil {
			out = append(out, "table "+t.Name)
			continue
		}
		have := map[string]bool{}
		for _, c := range ta.Columns {
			have[c.Name] = true
		}
		for _, c := range t.Columns {
			if !have[c.Name] {
				out = append(out, "column "+t.Name+"."+c.Name)
			}
		}
	}
	return out
}

func findTable(s *schemaState, name string) *snapshot.Table {
	for i := range s.Tables {
		if s.Tables[i].Name == name {
			return &s.Tables[i]
		}
	}
	return nil
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
