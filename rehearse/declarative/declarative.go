// Package declarative turns a desired schema (Skeema's folder of CREATE
// statements, an Atlas `schema apply` SQL file, a plain schema.sql) into one
// synthetic migration: the ALTERs from production's schema (the snapshot)
// to the target, computed by Atlas's MySQL differ (ariga.io/atlas, Apache
// 2.0) on a schema-only sandbox that holds both, in Atlas's order. Its down
// is the reverse diff. What the differ marks destructive (a dropped table or
// column) is refused unless AllowDestructive.
package declarative

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	atlasmysql "ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
	"github.com/rehearse/rehearse/snapshot"
)

// Options say what to diff and where.
type Options struct {
	Snapshot *snapshot.Snapshot
	// Schema is the snapshot's database the target describes ("": the
	// snapshot's only one, or the one with a history table).
	Schema string
	// Target is a .sql file or a folder of them (read in name order).
	Target           string
	AllowDestructive bool
	Engine           engine.Engine
	EngineOptions    engine.Options
	Log              io.Writer
}

// Version is the synthetic migration's version.
const Version = "target-schema"

// ErrDestructive is wrapped when the diff drops a table or a column and
// AllowDestructive is off.
var ErrDestructive = fmt.Errorf("the target schema drops data")

// Build computes the migration. The sandbox it starts is stopped before it
// returns.
func Build(ctx context.Context, o Options) (*migrations.Set, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	files, err := targetFiles(o.Target)
	if err != nil {
		return nil, err
	}
	schemaName, err := pickSchema(o.Snapshot, o.Schema)
	if err != nil {
		return nil, err
	}
	var target []sqlsplit.Statement
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sts, err := sqlsplit.Split(b, sqlsplit.Options{File: f})
		if err != nil {
			return nil, rehearse.WithHint(err, "--target-schema holds SQL (CREATE TABLE ...; Atlas HCL files are not read)")
		}
		target = append(target, sts...)
	}
	if len(target) == 0 {
		return nil, rehearse.WithHint(fmt.Errorf("--target-schema %s holds no statement", o.Target), "point it at the desired schema: a .sql file or a folder of CREATE statements")
	}
	if o.Engine == nil {
		return nil, fmt.Errorf("declarative: an engine is needed for the schema-only sandbox")
	}
	if o.Engine.Name() == "dsn" {
		return nil, rehearse.WithHint(fmt.Errorf("--target-schema needs a sandbox of its own (two databases: production's schema and the target)"), "use --engine local or docker")
	}
	one := onlySchema(o.Snapshot, schemaName)
	eo := o.EngineOptions
	eo.Memory = true
	fmt.Fprintf(o.Log, "rehearse: starting a schema-only sandbox to diff production's %s with %s (Atlas's differ)\n", schemaName, o.Target)
	srv, err := restore.StartFor(ctx, o.Engine, eo, one)
	if err != nil {
		return nil, fmt.Errorf("declarative: schema-only sandbox: %w", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = srv.Stop(sctx)
	}()
	const cur, want = "rehearse_current", "rehearse_target"
	if err := restore.Into(ctx, srv, one, restore.Options{Databases: map[string]string{schemaName: cur}, SkipHistory: true}); err != nil {
		return nil, fmt.Errorf("declarative: restore production's schema: %w", err)
	}
	db, err := srv.Open("")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for _, q := range []string{"CREATE DATABASE " + want + " " + charsetClause(one), "USE " + want} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("declarative: %s: %w", q, err)
		}
	}
	for _, st := range target {
		if _, err := conn.ExecContext(ctx, st.Text); err != nil {
			return nil, rehearse.WithHint(fmt.Errorf("%s: the target schema does not load: %w", st.Pos(), err),
				"--target-schema must be the desired schema as statements the server accepts (CREATE TABLE ...)")
		}
	}
	drv, err := atlasmysql.Open(db)
	if err != nil {
		return nil, fmt.Errorf("declarative: atlas: %w", err)
	}
	from, err := drv.InspectSchema(ctx, cur, nil)
	if err != nil {
		return nil, fmt.Errorf("declarative: inspect production's schema: %w", err)
	}
	to, err := drv.InspectSchema(ctx, want, nil)
	if err != nil {
		return nil, fmt.Errorf("declarative: inspect the target: %w", err)
	}
	from.Name, to.Name = schemaName, schemaName
	up, err := drv.SchemaDiff(from, to)
	if err != nil {
		return nil, fmt.Errorf("declarative: diff: %w", err)
	}
	if d := destructive(up); len(d) > 0 && !o.AllowDestructive {
		return nil, rehearse.WithHint(fmt.Errorf("%w: %s", ErrDestructive, strings.Join(d, ", ")),
			"if dropping them is intended (their data is lost), pass --allow-destructive; otherwise add them to the target schema")
	}
	down, err := drv.SchemaDiff(to, from)
	if err != nil {
		return nil, fmt.Errorf("declarative: reverse diff: %w", err)
	}
	upSQL, err := plan(ctx, drv, up)
	if err != nil {
		return nil, err
	}
	downSQL, err := plan(ctx, drv, down)
	if err != nil {
		return nil, err
	}
	set := &migrations.Set{Dir: o.Target, Format: migrations.DeclarativeFormat,
		Detected: fmt.Sprintf("--target-schema: %d statements computed by Atlas's differ from production's %s to %s; the down is the reverse diff", len(upSQL), schemaName, o.Target)}
	m := migrations.Migration{Version: Version, Key: Version, Name: filepath.Base(o.Target), Format: migrations.DeclarativeFormat,
		Up: script(o.Target+" (computed)", upSQL), Down: ptr(script(o.Target+" (reverse diff)", downSQL))}
	set.Migrations = []migrations.Migration{m}
	return set, nil
}

func ptr(s migrations.Script) *migrations.Script { return &s }

// script makes a script of computed statements, one "line" each.
func script(file string, sqls []string) migrations.Script {
	s := migrations.Script{File: file, Line: 1}
	for i, q := range sqls {
		s.Statements = append(s.Statements, sqlsplit.Statement{Text: q, File: file, Line: i + 1, Delimiter: ";"})
	}
	return s
}

// plan renders changes as statements in Atlas's order, unqualified (they
// run in the migrated database).
func plan(ctx context.Context, drv migrate.Driver, changes []schema.Change) ([]string, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	p, err := drv.PlanChanges(ctx, "target", changes, func(o *migrate.PlanOptions) {
		q := ""
		o.SchemaQualifier = &q
	})
	if err != nil {
		return nil, fmt.Errorf("declarative: plan: %w", err)
	}
	var out []string
	for _, c := range p.Changes {
		out = append(out, c.Cmd)
	}
	return out, nil
}

// destructive names what changes drop: tables and columns.
func destructive(changes []schema.Change) []string {
	var out []string
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.DropTable:
			out = append(out, "table "+c.T.Name)
		case *schema.ModifyTable:
			for _, tc := range c.Changes {
				if d, ok := tc.(*schema.DropColumn); ok {
					out = append(out, "column "+c.T.Name+"."+d.C.Name)
				}
			}
		}
	}
	return out
}

// targetFiles lists the target's .sql files.
func targetFiles(target string) ([]string, error) {
	st, err := os.Stat(target)
	if err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("--target-schema: %w", err), "point it at the desired schema: a .sql file or a folder of them")
	}
	if !st.IsDir() {
		return []string{target}, nil
	}
	var out []string
	err = filepath.WalkDir(target, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != target && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".sql") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	if err == nil && len(out) == 0 {
		err = rehearse.WithHint(fmt.Errorf("--target-schema %s holds no .sql file", target), "Skeema and Atlas keep the desired schema as .sql files of CREATE statements; point at that folder")
	}
	return out, err
}

// pickSchema is the snapshot database the target describes.
func pickSchema(snap *snapshot.Snapshot, want string) (string, error) {
	if want != "" {
		for _, s := range snap.Schemas {
			if s.Name == want {
				return want, nil
			}
		}
		return "", fmt.Errorf("the snapshot has no database %q", want)
	}
	if len(snap.Schemas) == 1 {
		return snap.Schemas[0].Name, nil
	}
	if len(snap.History) > 0 {
		return snap.History[0].Schema, nil
	}
	return "", rehearse.WithHint(fmt.Errorf("the snapshot has %d databases: which one does --target-schema describe?", len(snap.Schemas)), "name it with --schema (plan) or --database (run)")
}

// onlySchema is snap reduced to one database (and its history tables).
func onlySchema(snap *snapshot.Snapshot, name string) *snapshot.Snapshot {
	c := *snap
	c.Schemas, c.History = nil, nil
	for _, s := range snap.Schemas {
		if s.Name == name {
			c.Schemas = append(c.Schemas, s)
		}
	}
	for _, h := range snap.History {
		if h.Schema == name {
			c.History = append(c.History, h)
		}
	}
	return &c
}

func charsetClause(snap *snapshot.Snapshot) string {
	if len(snap.Schemas) == 1 && snap.Schemas[0].Charset != "" {
		s := "CHARACTER SET " + snap.Schemas[0].Charset
		if snap.Schemas[0].Collation != "" {
			s += " COLLATE " + snap.Schemas[0].Collation
		}
		return s
	}
	return ""
}
