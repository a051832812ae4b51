package load

import (
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/snapshot"
)

// Kind is what an operation does.
type Kind uint8

const (
	Insert Kind = iota // insert one valid row
	Update             // update one row by an existing key
	Delete             // delete one row by an existing key
	Read               // point read by an existing key
)

var kindNames = [...]string{"insert", "update", "delete", "read"}

// String is insert, update, delete or read (the report's names).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Write reports whether the kind modifies rows (takes a write metadata lock).
func (k Kind) Write() bool { return k != Read }

// Template is one statement shape of the workload, built against the
// pre-release schema. Its SQL has '?' placeholders the generator binds with
// generated values (inserts) or keys sampled from the table.
type Template struct {
	Kind   Kind
	Schema string
	Table  string
	// Weight is the template's share of the load (relative to the other
	// templates of the profile).
	Weight float64
	SQL    string
	// Columns are the columns an insert lists, an update sets or a read
	// selects (nil for a delete).
	Columns []string
	// Digest and DigestText name the workload digest the template was made
	// from; empty for the default mix.
	Digest     string
	DigestText string

	args []arg
	// table is the pre-release definition the template was built from
	// (for a model of the table when the generator has none).
	table *snapshot.Table
	// pool is the key pool update/delete/read draw from ("" for inserts).
	pool poolSpec
	// newKey says how an insert learns the key of its new row: the indexes
	// of its args holding the pool's columns, or autoInc for
	// LAST_INSERT_ID(). Nil when the key cannot be known.
	newKey  []int
	autoInc bool
	// insertPool is the pool an insert's new key joins.
	insertPool poolSpec
}

// Name is a short label: "insert shop.orders".
func (t *Template) Name() string { return t.Kind.String() + " " + t.Schema + "." + t.Table }

// argKind says where a placeholder's value comes from.
type argKind uint8

const (
	argValue argKind = iota // column name's value in a new row (datagen)
	argKey                  // element idx of the key drawn from the template's pool
)

type arg struct {
	kind argKind
	name string           // the column
	col  *snapshot.Column // nil when the pre-release schema lacks it
	// server is set for an insert's AUTO_INCREMENT and generated columns:
	// bound as NULL, the server makes the value.
	server bool
	idx    int
	// ref names a foreign key's parent columns (a value arg of a foreign
	// key column, element idx): a new row must not name a parent row the
	// load deleted.
	ref poolSpec
}

// poolSpec names a set of existing key tuples: columns of a table.
type poolSpec struct {
	Schema, Table string
	Columns       string // comma-joined, in order
	// IntFirst is set when the first column is an integer prefix of an
	// index, so sampling can probe random ranges cheaply.
	IntFirst bool
}

func (p poolSpec) cols() []string { return strings.Split(p.Columns, ",") }

// Profile is the workload: templates and their weights.
type Profile struct {
	Templates []Template
	// Rate is the total ops/s the profile was measured at (from digests,
	// already scaled); 0 when unknown. Options.Rate overrides it.
	Rate float64
}

// Mix weighs the operation kinds of DefaultProfile.
type Mix struct{ Insert, Update, Delete, Read float64 }

// DefaultMix is mostly writes: the rehearsal measures what locks do to
// writers. Deletes are few so tables do not drain during a long run.
var DefaultMix = Mix{Insert: 0.35, Update: 0.35, Delete: 0.1, Read: 0.2}

// TableLoad is one table of a default profile.
type TableLoad struct {
	Schema string
	Table  *snapshot.Table
	// Weight is the table's share of the total rate relative to the other
	// tables (0 counts as 1).
	Weight float64
}

// DefaultProfile builds insert/update/delete/read templates for each table
// from its pre-release definition, weighted by mix. Update, delete and read
// need a primary key (or a unique key over NOT NULL columns); a table
// without one gets inserts only. Generated columns are never written;
// AUTO_INCREMENT columns are left to the server.
func DefaultProfile(tables []TableLoad, mix Mix) (*Profile, error) {
	if len(tables) == 0 {
		return nil, rehearse.WithHint(fmt.Errorf("load profile: no tables"), "name at least one table to put under load")
	}
	if mix == (Mix{}) {
		mix = DefaultMix
	}
	p := &Profile{}
	for _, tl := range tables {
		if tl.Table == nil || len(tl.Table.Columns) == 0 {
			return nil, rehearse.WithHint(fmt.Errorf("load profile: table %s has no columns in the snapshot", tl.Schema),
				"re-take the snapshot; every table needs its parsed columns")
		}
		w := tl.Weight
		if w <= 0 {
			w = 1
		}
		b := newTableBuilder(tl.Schema, tl.Table)
		for _, k := range []struct {
			kind Kind
			w    float64
		}{{Insert, mix.Insert}, {Update, mix.Update}, {Delete, mix.Delete}, {Read, mix.Read}} {
			if k.w <= 0 {
				continue
			}
			t, ok := b.template(k.kind, nil, nil)
			if !ok {
				continue
			}
			t.Weight = w * k.w
			p.Templates = append(p.Templates, t)
		}
	}
	return p, nil
}
