package snapshot

import (
	"fmt"
	"regexp"
	"strings"
)

// schema reports schema drift within one pair of databases.
func (d *differ) schema(p schemaPair) {
	if p.a == nil || p.b == nil {
		inA := p.a != nil
		d.add(DriftSchema, p.name, d.only(inA), "", "",
			"the whole database exists in one environment only: every migration for it fails in the other, and a rehearsal there covers none of it")
		return
	}
	ta, tb := tableMap(p.a), tableMap(p.b)
	for _, n := range unionKeys(ta, tb) {
		x, y := ta[n], tb[n]
		obj := p.name + "." + n
		switch {
		case y == nil:
			d.add(DriftSchema, obj, d.only(true), "table", "", "table %s exists only in {A}: a migration that creates it fails there (table exists, 1050) and one that alters it fails in {B} (no such table, 1146); a rehearsal on {B} cannot show what it does", n)
		case x == nil:
			d.add(DriftSchema, obj, d.only(false), "", "table", "table %s exists only in {B}: a migration that creates it fails there (1050) and one that alters it fails in {A} (1146)", n)
		default:
			d.table(obj, x, y)
		}
	}
	if d.a.Source.Flavor != d.b.Source.Flavor || shortVersion(d.a.Source.Version) != shortVersion(d.b.Source.Version) {
		// Each flavor and major version prints view and routine bodies its
		// own way (MySQL adds parentheses, MariaDB says ucase for upper):
		// compare presence only.
		d.objectsPresence = true
		d.r.Notes = appendOnce(d.r.Notes, "the servers are of different flavors or major versions, which print view, trigger, routine and event definitions differently: those are compared by presence only")
	}
	d.objects(p.name, "view", viewMap(p.a), viewMap(p.b),
		"queries and reports using it fail in the environment without it; a migration that replaces or drops it behaves differently")
	d.objects(p.name, "trigger", triggerMap(p.a), triggerMap(p.b),
		"writes to its table do different extra work in the two environments (and take different locks); a migration's data changes fire it in one only")
	d.objects(p.name, "routine", routineMap(p.a), routineMap(p.b),
		"calls to it fail or behave differently in one environment; a migration that drops or replaces it behaves differently")
	d.objects(p.name, "event", eventMap(p.a), eventMap(p.b),
		"scheduled work runs in one environment only, and can hold locks while a migration runs")
}

func (d *differ) table(obj string, x, y *Table) {
	ca, cb := columnMap(x), columnMap(y)
	for _, n := range unionKeys(ca, cb) {
		a, b := ca[n], cb[n]
		o := obj + "." + n
		switch {
		case b == nil:
			d.add(DriftSchema, o, d.only(true), a.Type, "", "column %s exists only in {A}: a migration adding it fails there (duplicate column, 1060), and code or migrations using it fail in {B} (unknown column, 1054)", n)
		case a == nil:
			d.add(DriftSchema, o, d.only(false), "", b.Type, "column %s exists only in {B}: a migration adding it fails there (1060), and code or migrations using it fail in {A} (1054)", n)
		default:
			d.column(o, a, b)
		}
	}
	if orderOf(x) != orderOf(y) && len(ca) == len(cb) {
		d.add(DriftSchema, obj, "differs", orderOf(x), orderOf(y), "column order differs: INSERT ... VALUES and SELECT * without column lists put values in different columns, and ALTER ... AFTER positions differ")
	}
	if !strings.EqualFold(x.Engine, y.Engine) {
		d.add(DriftSchema, obj+" engine", "differs", x.Engine, y.Engine, "the storage engine differs: online DDL, locking and transactions work differently (MyISAM locks the whole table for every write)")
	}
	if !strings.EqualFold(x.RowFormat, y.RowFormat) && x.RowFormat != "" && y.RowFormat != "" {
		d.add(DriftSchema, obj+" row format", "differs", x.RowFormat, y.RowFormat, "the row format differs: the maximum index key length and which ALTERs run INSTANT differ")
	}
	if x.Collation != y.Collation {
		d.add(DriftSchema, obj+" collation", "differs", x.Collation, y.Collation, "the table's default collation differs: columns added by a migration get different collations, and converting it later rebuilds the table in one environment only")
	}
	if normSpace(x.Partitioning) != normSpace(y.Partitioning) {
		d.add(DriftSchema, obj+" partitioning", "differs", short(x.Partitioning), short(y.Partitioning), "partitioning differs: ALTERs run per partition, some are refused on partitioned tables (foreign keys, some online operations), and partition maintenance migrations fail in the other environment")
	}
	d.indexes(obj, x, y)
	d.foreignKeys(obj, x, y)
	d.checks(obj, x, y)
}

var intWidthRe = regexp.MustCompile(`^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)`)

// normType drops integer display widths (MySQL 8.0.19+ no longer shows
// them; they change nothing), keeping tinyint(1), which tools read as boolean.
func normType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if strings.HasPrefix(t, "tinyint(1)") {
		return t
	}
	if strings.HasPrefix(t, "year(4)") {
		return "year" + t[len("year(4)"):]
	}
	return intWidthRe.ReplaceAllString(t, "$1")
}

func (d *differ) column(o string, a, b *Column) {
	if normType(a.Type) != normType(b.Type) {
		d.add(DriftSchema, o, "differs", a.Type, b.Type, "the column type differs: the same ALTER can be INSTANT on one side and a full table copy on the other, and values that fit one can be truncated or rejected by the other")
	}
	if a.Nullable != b.Nullable {
		d.add(DriftSchema, o, "differs", nullText(a.Nullable), nullText(b.Nullable), "nullability differs: inserting NULL fails where the column is NOT NULL, and a migration that tightens it to NOT NULL has different work (and failures) to do")
	}
	if a.Generated == "" && b.Generated == "" && strPtr(a.Default) != strPtr(b.Default) {
		d.add(DriftSchema, o, "differs", "default "+strPtr(a.Default), "default "+strPtr(b.Default), "the default differs: rows written without this column get different values, and code relying on the default behaves differently")
	}
	if a.Charset != b.Charset || a.Collation != b.Collation {
		d.add(DriftSchema, o, "differs", a.Collation, b.Collation, "character set or collation differs: comparisons, uniqueness and sort order differ, joins on it can fail (illegal mix of collations), and a conversion migration rebuilds the table in one environment only")
	}
	if normExtra(a.Extra) != normExtra(b.Extra) {
		d.add(DriftSchema, o, "differs", a.Extra, b.Extra, "the column's attributes differ (auto_increment, ON UPDATE, generated): writes behave differently")
	}
	if normSpace(a.Generated) != normSpace(b.Generated) {
		d.add(DriftSchema, o, "differs", short(a.Generated), short(b.Generated), "the generation expression differs: the column holds different values")
	}
}

func nullText(n bool) string {
	if n {
		return "NULL"
	}
	return "NOT NULL"
}

func strPtr(p *string) string {
	if p == nil {
		return "none"
	}
	return "'" + *p + "'"
}

func normExtra(e string) string { return strings.ToLower(normSpace(e)) }

func (d *differ) indexes(obj string, x, y *Table) {
	ia, ib := map[string]*Index{}, map[string]*Index{}
	for i := range x.Indexes {
		ia[x.Indexes[i].Name] = &x.Indexes[i]
	}
	for i := range y.Indexes {
		ib[y.Indexes[i].Name] = &y.Indexes[i]
	}
	for _, n := range unionKeys(ia, ib) {
		a, b := ia[n], ib[n]
		o := obj + " index " + n
		if (a == nil || b == nil) && fkBacking(n, a, b, x, y) {
			continue // the index a foreign key created, reported with the foreign key
		}
		switch {
		case b == nil:
			d.add(DriftSchema, o, d.only(true), indexSig(a), "", "index %s exists only in {A}: queries that use it are slower in {B}, a migration creating it fails in {A} (duplicate key name, 1061) and one dropping it fails in {B} (1091)%s", n, uniqueNote(a))
		case a == nil:
			d.add(DriftSchema, o, d.only(false), "", indexSig(b), "index %s exists only in {B}: queries that use it are slower in {A}, a migration creating it fails in {B} (1061) and one dropping it fails in {A} (1091)%s", n, uniqueNote(b))
		case indexSig(a) != indexSig(b):
			d.add(DriftSchema, o, "differs", indexSig(a), indexSig(b), "index %s is defined differently: query plans differ, and a unique index that differs accepts different data", n)
		}
	}
}

// fkBacking reports whether an index present on one side only is the index
// the server created for a foreign key of the same name, and the other side
// has the same index under its own foreign key's name.
func fkBacking(name string, a, b *Index, x, y *Table) bool {
	ix, mine, other := a, x, y
	if ix == nil {
		ix, mine, other = b, y, x
	}
	isFK := func(t *Table, n string) bool {
		for _, fk := range t.ForeignKeys {
			if fk.Name == n {
				return true
			}
		}
		return false
	}
	if !isFK(mine, name) {
		return false
	}
	for i := range other.Indexes {
		if other.Indexes[i].Name != name && isFK(other, other.Indexes[i].Name) && indexSig(&other.Indexes[i]) == indexSig(ix) {
			return true
		}
	}
	return false
}

func uniqueNote(ix *Index) string {
	if ix.Unique || ix.Primary {
		return "; it is unique, so data accepted by one environment is rejected by the other"
	}
	return ""
}

func indexSig(ix *Index) string {
	var parts []string
	for _, c := range ix.Columns {
		p := c.Name
		if c.Expression != "" {
			p = "(" + c.Expression + ")"
		}
		if c.SubPart > 0 {
			p += fmt.Sprintf("(%d)", c.SubPart)
		}
		if c.Descending {
			p += " DESC"
		}
		parts = append(parts, p)
	}
	kind := "KEY"
	switch {
	case ix.Primary:
		kind = "PRIMARY KEY"
	case ix.Unique:
		kind = "UNIQUE KEY"
	case strings.EqualFold(ix.Type, "FULLTEXT"), strings.EqualFold(ix.Type, "SPATIAL"):
		kind = strings.ToUpper(ix.Type) + " KEY"
	}
	return kind + " (" + strings.Join(parts, ", ") + ")"
}

func fkSig(fk *ForeignKey) string {
	return fmt.Sprintf("(%s) -> %s(%s) ON UPDATE %s ON DELETE %s", strings.Join(fk.Columns, ", "), fk.RefTable,
		strings.Join(fk.RefColumns, ", "), orDefault(fk.OnUpdate, "RESTRICT"), orDefault(fk.OnDelete, "RESTRICT"))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (d *differ) foreignKeys(obj string, x, y *Table) {
	fa, fb := map[string]*ForeignKey{}, map[string]*ForeignKey{}
	for i := range x.ForeignKeys {
		fa[x.ForeignKeys[i].Name] = &x.ForeignKeys[i]
	}
	for i := range y.ForeignKeys {
		fb[y.ForeignKeys[i].Name] = &y.ForeignKeys[i]
	}
	renamed := map[string]bool{}
	for _, n := range unionKeys(fa, fb) {
		a, b := fa[n], fb[n]
		o := obj + " foreign key " + n
		switch {
		case a != nil && b != nil:
			if fkSig(a) != fkSig(b) {
				d.add(DriftSchema, o, "differs", fkSig(a), fkSig(b), "the foreign key is defined differently: deletes and updates cascade or fail differently")
			}
		case renamed[n]:
		case b == nil:
			if other := sameFK(a, fb, fa); other != "" {
				renamed[other] = true
				d.add(DriftSchema, o, "differs", n, other, "the same foreign key has another name in {B} (%s): a migration that drops or alters it by name fails in one environment (1091)", other)
				continue
			}
			d.add(DriftSchema, o, d.only(true), fkSig(a), "", "the foreign key exists only in {A}: writes that violate it succeed in {B} and fail in {A}, and ALTERs on the table take extra locks on the parent in {A} only")
		default:
			if other := sameFK(b, fa, fb); other != "" {
				renamed[other] = true
				d.add(DriftSchema, obj+" foreign key "+other, "differs", other, n, "the same foreign key has another name in {B} (%s): a migration that drops or alters it by name fails in one environment (1091)", n)
				continue
			}
			d.add(DriftSchema, o, d.only(false), "", fkSig(b), "the foreign key exists only in {B}: writes that violate it succeed in {A} and fail in {B}")
		}
	}
}

// sameFK finds a foreign key in others with the same definition as fk and
// a name that mine does not have.
func sameFK(fk *ForeignKey, others, mine map[string]*ForeignKey) string {
	for _, n := range unionKeys(others, nil) {
		if _, taken := mine[n]; taken {
			continue
		}
		if fkSig(others[n]) == fkSig(fk) {
			return n
		}
	}
	return ""
}

func (d *differ) checks(obj string, x, y *Table) {
	ca, cb := map[string]string{}, map[string]string{}
	for _, c := range x.Checks {
		ca[c.Name] = c.Clause
	}
	for _, c := range y.Checks {
		cb[c.Name] = c.Clause
	}
	for _, n := range unionKeys(ca, cb) {
		a, okA := ca[n]
		b, okB := cb[n]
		if okA && okB && normSpace(a) == normSpace(b) {
			continue
		}
		d.add(DriftSchema, obj+" check "+n, changeOf(okA, okB, d), a, b, "the CHECK constraint differs: data accepted by one environment is rejected by the other")
	}
}

func changeOf(okA, okB bool, d *differ) string {
	switch {
	case okA && !okB:
		return d.only(true)
	case okB && !okA:
		return d.only(false)
	}
	return "differs"
}

// objects compares named objects by their normalised definitions.
func (d *differ) objects(schema, kind string, a, b map[string]string, consequence string) {
	for _, n := range unionKeys(a, b) {
		x, okA := a[n]
		y, okB := b[n]
		if okA && okB && (x == y || d.objectsPresence) {
			continue
		}
		d.add(DriftSchema, schema+"."+n, changeOf(okA, okB, d), kindIf(okA, kind), kindIf(okB, kind), "%s %s: %s", kind, describeChange(okA, okB), consequence)
	}
}

func kindIf(ok bool, kind string) string {
	if ok {
		return kind
	}
	return ""
}

func describeChange(okA, okB bool) string {
	switch {
	case okA && !okB:
		return "exists only in {A}"
	case okB && !okA:
		return "exists only in {B}"
	}
	return "has a different definition"
}

var (
	spaceRe     = regexp.MustCompile(`\s+`)
	qualifierRe = regexp.MustCompile("`[^`]+`\\.(`[^`]+`)")
)

func normSpace(s string) string { return strings.TrimSpace(spaceRe.ReplaceAllString(s, " ")) }

// normDefinition makes object definitions comparable across environments:
// no DEFINER, no database qualifiers, collapsed whitespace.
func normDefinition(s string) string {
	s = definerRe.ReplaceAllString(s, "")
	s = qualifierRe.ReplaceAllString(s, "$1")
	return normSpace(s)
}

func short(s string) string {
	s = normSpace(s)
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

func orderOf(t *Table) string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ",")
}

func tableMap(s *Schema) map[string]*Table {
	m := map[string]*Table{}
	for i := range s.Tables {
		m[s.Tables[i].Name] = &s.Tables[i]
	}
	return m
}

func columnMap(t *Table) map[string]*Column {
	m := map[string]*Column{}
	for i := range t.Columns {
		m[t.Columns[i].Name] = &t.Columns[i]
	}
	return m
}

func viewMap(s *Schema) map[string]string {
	m := map[string]string{}
	for _, v := range s.Views {
		m[v.Name] = normDefinition(v.CreateSQL)
	}
	return m
}

func triggerMap(s *Schema) map[string]string {
	m := map[string]string{}
	for _, t := range s.Triggers {
		m[t.Name] = normDefinition(t.CreateSQL)
	}
	return m
}

func routineMap(s *Schema) map[string]string {
	m := map[string]string{}
	for _, r := range s.Routines {
		m[r.Name] = r.Type + " " + normDefinition(r.CreateSQL)
	}
	return m
}

func eventMap(s *Schema) map[string]string {
	m := map[string]string{}
	for _, e := range s.Events {
		m[e.Name] = normDefinition(e.CreateSQL)
	}
	return m
}

// unionKeys returns the keys of both maps, sorted.
func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	var out []string
	for k := range a {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := range b {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sortStrings(out)
	return out
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
