package snapshot

import (
	"fmt"
	"sort"
	"strings"
)

// DriftKind is a family of differences between two snapshots.
type DriftKind string

const (
	DriftSchema   DriftKind = "schema"   // tables, columns, indexes, foreign keys, views, triggers, routines, events
	DriftHistory  DriftKind = "history"  // migration history (and, with migrations, pending vs schema)
	DriftSettings DriftKind = "settings" // server variables that change DDL behaviour
	DriftVersion  DriftKind = "version"  // flavor and version
	DriftScale    DriftKind = "scale"    // row counts
)

// DriftKinds lists every kind, in report order.
var DriftKinds = []DriftKind{DriftVersion, DriftSettings, DriftTopology, DriftSchema, DriftHistory, DriftScale}

// ParseDriftKinds reads a comma-separated list ("schema,history", "all").
func ParseDriftKinds(s string) ([]DriftKind, error) {
	var out []DriftKind
	for _, p := range strings.Split(s, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		if p == "all" {
			return DriftKinds, nil
		}
		if p == "none" {
			return []DriftKind{}, nil
		}
		ok := false
		for _, k := range DriftKinds {
			if string(k) == p {
				out = append(out, k)
				ok = true
			}
		}
		if !ok {
			return nil, fmt.Errorf("unknown drift kind %q (use schema, history, settings, topology, version, scale, all or none)", p)
		}
	}
	return out, nil
}

// Finding is one difference, with what it means for a release.
type Finding struct {
	Kind   DriftKind `json:"kind"`
	Object string    `json:"object"` // "app.users.email", "lock_wait_timeout", "golang-migrate app.schema_migrations 42"
	// Change is "only in A", "only in B", or "differs".
	Change string `json:"change"`
	A      string `json:"a,omitempty"` // the value in A ("" when absent)
	B      string `json:"b,omitempty"`
	// Consequence says, for a release manager, what the difference does.
	Consequence string `json:"consequence"`
}

// DiffOptions tune Diff.
type DiffOptions struct {
	// NameA and NameB label the two sides in consequences ("production",
	// "staging"); default "A" and "B".
	NameA, NameB string
	// ScaleRatio is the row-count ratio from which a table's sizes count as
	// drift (default 10); ScaleMinRows the larger side's minimum (default
	// 10,000): small tables rehearse the same at any size.
	ScaleRatio   float64
	ScaleMinRows int64
	// Pending, when set, adds the migration checks of DiffMigrations.
	Pending []PendingCheck
}

// DiffReport is the outcome of comparing two snapshots.
type DiffReport struct {
	A        DiffSide  `json:"a"`
	B        DiffSide  `json:"b"`
	Findings []Finding `json:"findings"`
	Notes    []string  `json:"notes,omitempty"`
}

// DiffSide describes one compared snapshot.
type DiffSide struct {
	Name      string `json:"name"`
	Flavor    string `json:"flavor"`
	Version   string `json:"version"`
	Host      string `json:"host,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
	Databases int    `json:"databases"`
	Tables    int    `json:"tables"`
}

// Count returns how many findings are of one of the kinds.
func (r *DiffReport) Count(kinds ...DriftKind) int {
	n := 0
	for _, f := range r.Findings {
		for _, k := range kinds {
			if f.Kind == k {
				n++
			}
		}
	}
	return n
}

// Diff compares snapshot a with b: version, settings, replication
// topology, schema, history and scale. Databases are paired by name; when each side has exactly one
// database under different names (app vs app_staging) they are paired
// with each other.
func Diff(a, b *Snapshot, opts DiffOptions) *DiffReport {
	if opts.NameA == "" {
		opts.NameA = "A"
	}
	if opts.NameB == "" {
		opts.NameB = "B"
	}
	if opts.ScaleRatio <= 1 {
		opts.ScaleRatio = 10
	}
	if opts.ScaleMinRows <= 0 {
		opts.ScaleMinRows = 10000
	}
	d := &differ{a: a, b: b, opts: opts, r: &DiffReport{A: side(a, opts.NameA), B: side(b, opts.NameB)}}
	d.version()
	d.settings()
	d.topology()
	pairs := d.pairSchemas()
	for _, p := range pairs {
		d.schema(p)
	}
	d.history()
	for _, p := range pairs {
		d.scale(p)
	}
	d.pending()
	sort.SliceStable(d.r.Findings, func(i, j int) bool {
		return kindOrder(d.r.Findings[i].Kind) < kindOrder(d.r.Findings[j].Kind)
	})
	if d.r.Findings == nil {
		d.r.Findings = []Finding{}
	}
	return d.r
}

func kindOrder(k DriftKind) int {
	for i, x := range DriftKinds {
		if x == k {
			return i
		}
	}
	return len(DriftKinds)
}

func side(s *Snapshot, name string) DiffSide {
	ds := DiffSide{Name: name, Flavor: s.Source.Flavor, Version: s.Source.Version, Host: s.Source.Host, Databases: len(s.Schemas)}
	if !s.CreatedAt.IsZero() {
		ds.CreatedAt = s.CreatedAt.UTC().Format("2006-01-02 15:04 MST")
	}
	for _, sc := range s.Schemas {
		ds.Tables += len(sc.Tables)
	}
	return ds
}

type differ struct {
	a, b *Snapshot
	opts DiffOptions
	r    *DiffReport
	// objectsPresence compares views, triggers, routines and events by
	// presence only (the sides are of different flavors).
	objectsPresence bool
}

func (d *differ) add(kind DriftKind, object, change, a, b, consequence string, args ...any) {
	d.r.Findings = append(d.r.Findings, Finding{Kind: kind, Object: object, Change: d.names(change), A: a, B: b,
		Consequence: d.names(fmt.Sprintf(consequence, args...))})
}

// names replaces the placeholders {A} and {B} with the sides' names.
func (d *differ) names(s string) string {
	return strings.NewReplacer("{A}", d.opts.NameA, "{B}", d.opts.NameB).Replace(s)
}

// only is the Change text for an object present on one side.
func (d *differ) only(inA bool) string {
	if inA {
		return "only in " + d.opts.NameA
	}
	return "only in " + d.opts.NameB
}

type schemaPair struct {
	a, b *Schema
	name string // the name used in findings
}

func (d *differ) pairSchemas() []schemaPair {
	if len(d.a.Schemas) == 1 && len(d.b.Schemas) == 1 && d.a.Schemas[0].Name != d.b.Schemas[0].Name {
		d.r.Notes = append(d.r.Notes, fmt.Sprintf("compared database %s of %s with database %s of %s (the only one on each side)",
			d.a.Schemas[0].Name, d.opts.NameA, d.b.Schemas[0].Name, d.opts.NameB))
		return []schemaPair{{a: &d.a.Schemas[0], b: &d.b.Schemas[0], name: d.a.Schemas[0].Name}}
	}
	var out []schemaPair
	for i := range d.a.Schemas {
		p := schemaPair{a: &d.a.Schemas[i], name: d.a.Schemas[i].Name}
		for j := range d.b.Schemas {
			if d.b.Schemas[j].Name == p.name {
				p.b = &d.b.Schemas[j]
			}
		}
		out = append(out, p)
	}
	for j := range d.b.Schemas {
		found := false
		for i := range d.a.Schemas {
			found = found || d.a.Schemas[i].Name == d.b.Schemas[j].Name
		}
		if !found {
			out = append(out, schemaPair{b: &d.b.Schemas[j], name: d.b.Schemas[j].Name})
		}
	}
	return out
}
