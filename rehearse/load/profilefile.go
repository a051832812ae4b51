package load

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"go.yaml.in/yaml/v3"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/snapshot"
)

// ProfileFormat is the format marker of a load profile file
// (docs/load-profile.md). A file of another format is refused, not guessed.
const ProfileFormat = "rehearse.load-profile/v1"

// The operation kinds of a profile file.
const (
	OpInsert = "insert"       // one valid row
	OpUpdate = "update-by-pk" // one row by an existing primary key
	OpDelete = "delete-by-pk" // one row by an existing primary key
	OpRead   = "point-read"   // one row by an existing primary key
)

var (
	opKinds = map[string]Kind{OpInsert: Insert, OpUpdate: Update, OpDelete: Delete, OpRead: Read}
	opNames = [...]string{Insert: OpInsert, Update: OpUpdate, Delete: OpDelete, Read: OpRead}
)

// ProfileFile is a load profile as a person writes it: the simulated
// application's total rate, its connections and its operations with
// weights. It is YAML (a JSON file is YAML too), and the `load.profile`
// section of rehearse.yaml holds the same mapping. Profile maps it onto the
// templates the generator runs; FileFromProfile writes any Profile back as
// one, so the default mix and the digests' mix can be edited.
type ProfileFile struct {
	Format string `yaml:"format"`
	// Rate is the total in ops/s; 0 leaves it to the caller (--load, else
	// its default). A rate given by the caller wins over it.
	Rate float64 `yaml:"rate,omitempty"`
	// ConnectionsPerTable is the connections of each table's lane (the
	// generator runs one lane per table); 0 leaves it to the caller.
	ConnectionsPerTable int         `yaml:"connections_per_table,omitempty"`
	Operations          []Operation `yaml:"operations"`

	// Name is where the profile was read from, for messages and reports;
	// Digest is "sha256:<hex>" of what was read.
	Name   string `yaml:"-"`
	Digest string `yaml:"-"`
}

// Operation is one statement shape of a profile file: a table and a kind,
// or a statement with '?' placeholders (a digest text works as is).
type Operation struct {
	// Table is "orders" (the migration database) or "shop.orders".
	Table string `yaml:"table,omitempty"`
	Kind  string `yaml:"kind,omitempty"` // OpInsert, OpUpdate, OpDelete, OpRead
	// Statement is a single-table INSERT, UPDATE, DELETE or SELECT whose
	// WHERE is "col = ? [AND ...]"; instead of Table and Kind.
	Statement string `yaml:"statement,omitempty"`
	// Columns are the columns an insert lists, an update sets or a read
	// selects; empty: every writable column (insert), one unindexed
	// column (update), every column (read).
	Columns []string `yaml:"columns,flow,omitempty"`
	// Weight is the operation's share of the rate relative to the others
	// (1 when left out; 0 turns it off).
	Weight float64 `yaml:"weight"`
	// Digest names the workload digest the operation came from
	// (informational).
	Digest string `yaml:"digest,omitempty"`

	Line int `yaml:"-"` // in the file; 0 when unknown
}

// ReadProfile reads and checks a profile file (its syntax and values; the
// tables and columns are checked against a snapshot by Profile).
func ReadProfile(path string) (*ProfileFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("load profile: %w", err),
			"check the path, or write a starting file with `rehearse load-profile --snapshot FILE --migrations DIR -o %s`", path)
	}
	return ParseProfile(b, path)
}

// ParseProfile parses profile content; name is used in messages
// ("name:line: ...").
func ParseProfile(b []byte, name string) (*ProfileFile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("%s: not a YAML or JSON load profile: %v", name, err), "see docs/load-profile.md for the format")
	}
	if len(doc.Content) == 0 {
		return nil, rehearse.WithHint(fmt.Errorf("%s: the load profile is empty", name),
			"write a starting file with `rehearse load-profile --snapshot FILE --migrations DIR -o %s`", name)
	}
	f, err := ProfileFromNode(doc.Content[0], name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	f.Digest = "sha256:" + hex.EncodeToString(sum[:])
	return f, nil
}

// ProfileFromNode reads a profile from a parsed YAML mapping (a file's
// document, or rehearse.yaml's load.profile), with the node's lines in
// messages. Digest is left empty.
func ProfileFromNode(n *yaml.Node, name string) (*ProfileFile, error) {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil, profileErr(name, n.Line, "a load profile is a mapping (format:, rate:, operations:)", "see docs/load-profile.md for the format")
	}
	f := &ProfileFile{Name: name}
	// The format first: the keys of another version are not this one's
	// mistakes.
	fv := mappingValue(n, "format")
	switch {
	case fv == nil:
		return nil, profileErr(name, n.Line, "the load profile has no format:", "add `format: %s` as its first line", ProfileFormat)
	case fv.Kind != yaml.ScalarNode || fv.Value != ProfileFormat:
		return nil, profileErr(name, fv.Line, fmt.Sprintf("format %q is not one this rehearse reads (it reads %s)", fv.Value, ProfileFormat),
			"write `format: %s` (docs/load-profile.md), or use the rehearse version that wrote the file", ProfileFormat)
	}
	f.Format = fv.Value
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "format":
		case "rate":
			if err := number(v, &f.Rate); err != nil || f.Rate < 0 {
				return nil, profileErr(name, v.Line, fmt.Sprintf("rate %s: want the total operations per second, 0 or more", v.Value),
					"write e.g. `rate: 300`, or leave rate out and pass --load")
			}
		case "connections_per_table":
			if err := v.Decode(&f.ConnectionsPerTable); err != nil || f.ConnectionsPerTable < 0 || f.ConnectionsPerTable > 1024 {
				return nil, profileErr(name, v.Line, fmt.Sprintf("connections_per_table %s: want a whole number from 1 to 1024", v.Value),
					"write e.g. `connections_per_table: 8`, or leave it out")
			}
		case "operations":
			if v.Kind != yaml.SequenceNode {
				return nil, profileErr(name, v.Line, "operations: want a list", "write each operation as `- table: orders` with kind: and weight: under it")
			}
			for j, on := range v.Content {
				op, err := operationFromNode(on, name, j+1)
				if err != nil {
					return nil, err
				}
				f.Operations = append(f.Operations, op)
			}
		default:
			return nil, profileErr(name, k.Line, fmt.Sprintf("unknown key %q", k.Value), "the keys are format, rate, connections_per_table and operations")
		}
	}
	if len(f.Operations) == 0 {
		return nil, profileErr(name, n.Line, "the load profile has no operations", "list at least one under operations: (docs/load-profile.md)")
	}
	var total float64
	for _, op := range f.Operations {
		total += op.Weight
	}
	if total == 0 {
		return nil, profileErr(name, n.Line, "every operation has weight 0", "give at least one operation a positive weight")
	}
	return f, nil
}

func operationFromNode(n *yaml.Node, name string, idx int) (Operation, error) {
	op := Operation{Line: n.Line, Weight: 1}
	fail := func(line int, msg, hint string, args ...any) (Operation, error) {
		return Operation{}, profileErr(name, line, fmt.Sprintf("operation %d: %s", idx, msg), hint, args...)
	}
	if n.Kind != yaml.MappingNode {
		return fail(n.Line, "want a mapping", "write `- table: orders` with kind: and weight: under it")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "table":
			err = scalar(v, &op.Table)
		case "kind":
			err = scalar(v, &op.Kind)
		case "statement":
			err = scalar(v, &op.Statement)
		case "digest":
			err = scalar(v, &op.Digest)
		case "columns":
			if v.Kind != yaml.SequenceNode {
				return fail(v.Line, "columns: want a list", "write e.g. `columns: [status, updated_at]`")
			}
			for _, c := range v.Content {
				var s string
				if err := scalar(c, &s); err != nil || s == "" {
					return fail(c.Line, "columns: want column names", "write e.g. `columns: [status, updated_at]`")
				}
				op.Columns = append(op.Columns, s)
			}
		case "weight":
			if err := number(v, &op.Weight); err != nil || op.Weight < 0 {
				return fail(v.Line, fmt.Sprintf("weight %s: want a number, 0 or more", v.Value), "weights are relative shares, e.g. 35 and 65")
			}
		default:
			return fail(k.Line, fmt.Sprintf("unknown key %q", k.Value), "an operation has table, kind, columns and weight, or statement and weight (and digest)")
		}
		if err != nil {
			return fail(v.Line, fmt.Sprintf("%s: want a string", k.Value), "see docs/load-profile.md")
		}
	}
	if op.Statement != "" {
		if op.Table != "" || op.Kind != "" || len(op.Columns) > 0 {
			return fail(op.Line, "give either statement: or table: with kind: (and columns:), not both", "the statement names its table and columns itself")
		}
		if _, err := parseShape(parser.New(), op.Statement); err != nil {
			return fail(op.Line, fmt.Sprintf("statement %q: %v", clip(op.Statement), err),
				"the load runs single-table INSERT, UPDATE, DELETE and SELECT whose WHERE is `col = ? [AND ...]`; use table: with kind: for anything else")
		}
		return op, nil
	}
	if op.Table == "" {
		return fail(op.Line, "no table: (and no statement:)", "name the table, e.g. `table: orders`, or give a statement:")
	}
	if op.Kind == "" {
		return fail(op.Line, "no kind:", "add one of: kind: %s", strings.Join(opNames[:], ", "))
	}
	k, ok := opKinds[op.Kind]
	if !ok {
		return fail(op.Line, fmt.Sprintf("unknown kind %q (the kinds are %s)", op.Kind, strings.Join(opNames[:], ", ")),
			"use one of those, or a statement: for another shape")
	}
	if k == Delete && len(op.Columns) > 0 {
		return fail(op.Line, OpDelete+" takes no columns", "remove columns: from this operation")
	}
	return op, nil
}

// BuildOptions say how a profile file's names map onto a snapshot and a
// server.
type BuildOptions struct {
	// Schema is the snapshot's database an unqualified table name (and a
	// statement naming no database) belongs to: the migration database.
	Schema string
	// Rename maps a snapshot database to the server's name for it (a
	// scratch database); the templates use the server's names.
	Rename map[string]string
}

// Profile checks the file against the pre-release schema in snap — every
// table and column must be there, a generated column cannot be written,
// update, delete and read need a key to address rows by — and builds the
// templates the generator runs. Profile.Rate is the file's rate. Errors
// name the file, the line and the object.
func (f *ProfileFile) Profile(snap *snapshot.Snapshot, o BuildOptions) (*Profile, error) {
	if snap == nil {
		return nil, fmt.Errorf("load profile %s: no snapshot to check it against", f.Name)
	}
	p := &Profile{Rate: f.Rate}
	ps := parser.New()
	for i, op := range f.Operations {
		fail := func(msg, hint string, args ...any) (*Profile, error) {
			return nil, profileErr(f.Name, op.Line, fmt.Sprintf("operation %d: %s", i+1, msg), hint, args...)
		}
		var (
			schema, table string
			kind          Kind
			cols, where   []string
		)
		if op.Statement != "" {
			sh, err := parseShape(ps, op.Statement)
			if err != nil {
				return fail(fmt.Sprintf("statement %q: %v", clip(op.Statement), err), "see docs/load-profile.md for the statements the load runs")
			}
			schema, table, kind, cols, where = sh.schema, sh.table, sh.kind, sh.cols, sh.where
			if schema == "" {
				schema = o.Schema
			}
		} else {
			kind = opKinds[op.Kind]
			schema, table = splitTable(snap, o.Schema, op.Table)
			cols = op.Columns
		}
		tb := snap.Table(schema, table)
		if tb == nil {
			return fail(fmt.Sprintf("table %s.%s is not in the snapshot", schema, table), "%s", tableHint(snap, schema))
		}
		b := newTableBuilder(renamed(o.Rename, schema), tb)
		for k, r := range b.fk {
			if s, ok := o.Rename[r.pool.Schema]; ok {
				r.pool.Schema = s
				b.fk[k] = r
			}
		}
		if c := b.missing(cols, where); c != "" {
			return fail(fmt.Sprintf("column %s is not in %s.%s", c, schema, table), "%s.%s has: %s", schema, table, columnNames(tb))
		}
		if kind == Insert || kind == Update {
			for _, c := range cols {
				if col := b.cols[strings.ToLower(c)]; col != nil && (col.Generated != "" || strings.Contains(strings.ToLower(col.Extra), "generated")) {
					return fail(fmt.Sprintf("column %s of %s.%s is generated: the server computes it", c, schema, table), "leave %s out of columns:", c)
				}
			}
		}
		t, ok := b.template(kind, cols, where)
		if !ok {
			if kind == Insert {
				return fail(fmt.Sprintf("%s.%s has no column an insert can write", schema, table), "remove this operation")
			}
			return fail(fmt.Sprintf("%s.%s has no primary key (nor a unique key over NOT NULL columns) to address rows by", schema, table),
				"use kind: %s on it, or a statement: whose WHERE names the columns to look rows up by", OpInsert)
		}
		t.Weight = op.Weight
		t.Digest = op.Digest
		if op.Statement != "" {
			t.DigestText = op.Statement
		}
		p.Templates = append(p.Templates, t)
	}
	return p, nil
}

// FileOptions say how FileFromProfile writes a profile.
type FileOptions struct {
	// Schema is the database whose tables are written by bare name (the
	// migration database); others are written as database.table.
	Schema              string
	Rate                float64
	ConnectionsPerTable int
}

// FileFromProfile writes p as a profile file a person can edit: a
// template made from a digest as its statement (the digest's own text when
// it runs in o.Schema), the others as table and kind (with the columns of
// an update). Weights are percent of the total.
func FileFromProfile(p *Profile, o FileOptions) *ProfileFile {
	f := &ProfileFile{Format: ProfileFormat, Rate: o.Rate, ConnectionsPerTable: o.ConnectionsPerTable}
	var total float64
	for _, t := range p.Templates {
		total += t.Weight
	}
	for _, t := range p.Templates {
		op := Operation{Weight: t.Weight}
		if total > 0 {
			op.Weight, _ = strconv.ParseFloat(strconv.FormatFloat(100*t.Weight/total, 'g', 4, 64), 64)
		}
		switch {
		case t.DigestText != "" && t.Schema == o.Schema:
			op.Statement, op.Digest = t.DigestText, t.Digest
		case t.DigestText != "":
			op.Statement, op.Digest = t.SQL, t.Digest
		default:
			op.Table, op.Kind = t.Table, opNames[t.Kind]
			if t.Schema != o.Schema {
				op.Table = t.Schema + "." + t.Table
			}
			if t.Kind == Update {
				op.Columns = t.Columns
			}
		}
		f.Operations = append(f.Operations, op)
	}
	return f
}

// YAML writes the file, with comment (one or more lines) at its head.
func (f *ProfileFile) YAML(comment string) ([]byte, error) {
	var buf bytes.Buffer
	if comment != "" {
		for _, l := range strings.Split(strings.TrimRight(comment, "\n"), "\n") {
			buf.WriteString(strings.TrimRight("# "+l, " ") + "\n")
		}
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// profileErr is a profile problem at name:line with what to do.
func profileErr(name string, line int, msg, hint string, args ...any) error {
	where := name
	if line > 0 {
		where = fmt.Sprintf("%s:%d", name, line)
	}
	return rehearse.WithHint(fmt.Errorf("load profile %s: %s", where, msg), hint, args...)
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func number(n *yaml.Node, v *float64) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("not a number")
	}
	return n.Decode(v)
}

func scalar(n *yaml.Node, v *string) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("not a string")
	}
	*v = n.Value
	return nil
}

// splitTable resolves "orders" or "shop.orders" (backquotes allowed): a
// table of schema by that exact name wins over a database.table reading.
func splitTable(snap *snapshot.Snapshot, schema, name string) (string, string) {
	name = strings.TrimSpace(name)
	if snap.Table(schema, strings.Trim(name, "`")) != nil {
		return schema, strings.Trim(name, "`")
	}
	if db, tb, ok := strings.Cut(name, "."); ok {
		return strings.Trim(db, "`"), strings.Trim(tb, "`")
	}
	return schema, strings.Trim(name, "`")
}

func renamed(m map[string]string, schema string) string {
	if s, ok := m[schema]; ok {
		return s
	}
	return schema
}

// tableHint lists a snapshot database's tables (or the databases, when
// schema is not one of them) for a hint.
func tableHint(snap *snapshot.Snapshot, schema string) string {
	var dbs []string
	for _, s := range snap.Schemas {
		if s.Name != schema {
			dbs = append(dbs, s.Name)
			continue
		}
		var names []string
		for _, t := range s.Tables {
			names = append(names, t.Name)
		}
		return fmt.Sprintf("the snapshot's %s has: %s (write another database's table as database.table)", schema, shortList(names))
	}
	return fmt.Sprintf("the snapshot has no database %s; its databases: %s", schema, shortList(dbs))
}

func columnNames(t *snapshot.Table) string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return shortList(names)
}

func shortList(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	if len(names) > 20 {
		return strings.Join(names[:20], ", ") + fmt.Sprintf(" and %d more", len(names)-20)
	}
	return strings.Join(names, ", ")
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
