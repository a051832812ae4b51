package run

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// startLoad builds the pre-release workload (chooseProfile) and starts it.
func (r *rehearsal) startLoad(ctx context.Context, pending []*migrations.Migration) (*load.Generator, error) {
	o := r.opts
	prof, src, err := chooseProfile(o, r.snapshotSchema(), r.schema, pending, r.schemaMap(), r.srv.Database == "", r.logf)
	if err != nil {
		return nil, err
	}
	r.profile = prof
	in := &r.report.Inputs
	in.LoadSource, in.LoadProfile, in.LoadProfileDigest = src.kind, src.detail, src.digest
	// An application's pool has several connections per table; with only
	// two, both may be stuck on reads when an ALTER queues, and the writers
	// would wait inside the generator instead of in the server's lock queue.
	// Inserts write the generation's rows past the generated ones (valid,
	// keys that collide with no row, the snapshot's statistics).
	lo := load.Options{Rate: o.loadRate(), Seed: uint64(o.Seed) + 1, ConnsPerTable: o.loadConns(), Data: r.data}
	if r.repl != nil && r.repl.reader != nil {
		lo.OnInsert = r.repl.reader.Inserted // rows to read back on the replicas
	}
	gen, err := load.New(r.db, prof, lo)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if err := gen.Start(ctx); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	r.gen = gen
	return gen, nil
}

// loadSource says where the workload came from, for the report's inputs.
type loadSource struct {
	kind   string // profile | digests | default
	detail string // the profile's name, "digests (N shapes, M skipped)" or "default"
	digest string // sha256:<hex> of the profile file
}

// chooseProfile builds the pre-release workload, without a server: the
// profile file when the options have one; else the snapshot's workload
// digests (production's own statement mix) when useDigests and they map to
// statements the load can run; else the default mix on the tables the
// release touches plus the largest others, up to LoadTables. Statements are
// built against the snapshot's (pre-release) schema: that is what the
// running application does during a deploy. snapSchema is the snapshot's
// name of the migration database, serverSchema the server's; rename maps
// snapshot databases to the server's names (a scratch database).
func chooseProfile(o Options, snapSchema, serverSchema string, pending []*migrations.Migration, rename map[string]string, useDigests bool, logf func(string, ...any)) (*load.Profile, loadSource, error) {
	if f := o.LoadProfile; f != nil {
		p, err := f.Profile(o.Snapshot, load.BuildOptions{Schema: snapSchema, Rename: rename})
		if err != nil {
			return nil, loadSource{}, err
		}
		return p, loadSource{kind: "profile", detail: f.Name, digest: f.Digest}, nil
	}
	if len(o.Snapshot.Digests) > 0 && useDigests {
		dp, skipped, err := load.ProfileFromDigests(o.Snapshot, load.DigestOptions{Scale: o.Scale})
		switch {
		case err != nil:
			logf("load: digests not usable (%v); using the default mix", err)
		case len(dp.Templates) == 0:
			logf("load: no digest maps to a statement shape (%d skipped); using the default mix", len(skipped))
		default:
			return dp, loadSource{kind: "digests", detail: fmt.Sprintf("digests (%d shapes, %d skipped)", len(dp.Templates), len(skipped))}, nil
		}
	}
	tables := loadTables(o.Snapshot, snapSchema, pending, o.LoadTables)
	if len(tables) == 0 {
		return nil, loadSource{}, fmt.Errorf("load: the database %s has no table to put load on", serverSchema)
	}
	var tl []load.TableLoad
	for _, t := range tables {
		tl = append(tl, load.TableLoad{Schema: serverSchema, Table: t})
	}
	prof, err := load.DefaultProfile(tl, load.DefaultMix)
	if err != nil {
		return nil, loadSource{}, fmt.Errorf("load: %w", err)
	}
	return prof, loadSource{kind: "default", detail: "default"}, nil
}

// CheckLoadProfile checks LoadProfile (when set) against the snapshot:
// every table and column it names must be in the pre-release schema. Run
// does it before it starts a server; a caller can do it before Run.
func (o Options) CheckLoadProfile() error {
	if o.LoadProfile == nil || o.Snapshot == nil {
		return nil
	}
	schema, err := targetSchema(o.Snapshot, o.Database)
	if err != nil {
		return err
	}
	return o.checkLoadProfile(schema)
}

// checkLoadProfile checks the profile file against the snapshot, so a
// misspelt table or column stops the rehearsal before any server starts.
func (o Options) checkLoadProfile(schema string) error {
	if o.LoadProfile == nil {
		return nil
	}
	_, err := o.LoadProfile.Profile(o.Snapshot, load.BuildOptions{Schema: schema})
	return err
}

// loadRate is the load's target: LoadRate, else the profile's, else
// DefaultLoadRate.
func (o Options) loadRate() float64 {
	switch {
	case o.LoadRate > 0:
		return o.LoadRate
	case o.LoadProfile != nil && o.LoadProfile.Rate > 0:
		return o.LoadProfile.Rate
	}
	return DefaultLoadRate
}

// loadConns is each table lane's connections: the profile's, else
// LoadConnsPerTable.
func (o Options) loadConns() int {
	if o.LoadProfile != nil && o.LoadProfile.ConnectionsPerTable > 0 {
		return o.LoadProfile.ConnectionsPerTable
	}
	return LoadConnsPerTable
}

// fillLoadInputs records the load's rate, connections and (until the load
// starts and says what it used) its expected source.
func (r *rehearsal) fillLoadInputs() {
	o := r.opts
	in := &r.report.Inputs
	in.LoadRate, in.LoadConns = o.loadRate(), o.loadConns()
	switch {
	case o.LoadProfile != nil:
		in.LoadSource, in.LoadProfile, in.LoadProfileDigest = "profile", o.LoadProfile.Name, o.LoadProfile.Digest
	case len(o.Snapshot.Digests) > 0:
		in.LoadSource, in.LoadProfile = "digests", "digests"
	default:
		in.LoadSource, in.LoadProfile = "default", "default"
	}
}

// fillLoadOperations lists every statement shape of the load with what it
// did over the whole run (baseline to the end of the rollback).
func (r *rehearsal) fillLoadOperations(lr *load.Result) {
	if lr == nil {
		return
	}
	var total float64
	for _, t := range lr.Templates {
		total += t.Weight
	}
	ops := make([]result.LoadOperation, len(lr.Templates))
	for i, t := range lr.Templates {
		ops[i] = result.LoadOperation{Kind: t.Kind.String(), Table: t.Schema + "." + t.Table, SQL: t.SQL, Digest: t.Digest}
		if total > 0 {
			ops[i].Weight = math.Round(t.Weight/total*1e4) / 1e4
		}
	}
	for _, ts := range lr.Window(lr.Started, lr.Stopped).Templates {
		if ts.Template < len(ops) {
			ops[ts.Template].Ops = ts.Ops
			if m := ts.Classes.Map(); len(m) > 0 {
				ops[ts.Template].Errors = m
			}
		}
	}
	r.report.Load = ops
}

// LoadProfile returns the workload Run would put on the sandbox, as a
// profile file a person can edit, and a line saying where it came from. It
// starts no server: it reads the release the way Run's plan phase does (the
// tables the pending migrations name). With opts.LoadProfile it returns that
// profile, checked against the snapshot. Rate and connections are the ones
// Run would use. It assumes a sandbox of the rehearsal's own: on a scratch
// database (the dsn engine) Run uses the default mix instead of the digests.
func LoadProfile(ctx context.Context, opts Options) (*load.ProfileFile, string, error) {
	if opts.Snapshot == nil {
		return nil, "", fmt.Errorf("load profile: a snapshot is required")
	}
	schema, err := targetSchema(opts.Snapshot, opts.Database)
	if err != nil {
		return nil, "", err
	}
	if f := opts.LoadProfile; f != nil {
		if err := opts.checkLoadProfile(schema); err != nil {
			return nil, "", err
		}
		out := *f
		out.Rate, out.ConnectionsPerTable = opts.loadRate(), opts.loadConns()
		return &out, "the profile " + f.Name, nil
	}
	r := &rehearsal{opts: opts, report: &result.Report{}}
	pending := migrations.Pending(opts.Migrations, opts.Snapshot)
	planPending, p, err := r.planRelease(ctx, schema)
	if err != nil {
		return nil, "", err
	}
	if p != nil {
		pending = planPending
	}
	logf := func(string, ...any) {}
	if opts.Log != nil {
		logf = func(format string, args ...any) { fmt.Fprintf(opts.Log, format+"\n", args...) }
	}
	prof, src, err := chooseProfile(opts, schema, schema, pending, nil, true, logf)
	if err != nil {
		return nil, "", err
	}
	f := load.FileFromProfile(prof, load.FileOptions{Schema: schema, Rate: opts.loadRate(), ConnectionsPerTable: opts.loadConns()})
	why := src.detail
	if src.kind == "default" {
		why = fmt.Sprintf("the default mix on %s", strings.Join(profileTables(prof), ", "))
	}
	return f, why, nil
}

func profileTables(p *load.Profile) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range p.Templates {
		if !seen[t.Table] {
			seen[t.Table] = true
			out = append(out, t.Table)
		}
	}
	return out
}

// snapshotSchema is the snapshot's name of the migration database.
func (r *rehearsal) snapshotSchema() string {
	if r.srv != nil && r.srv.Database != "" && len(r.opts.Snapshot.Schemas) == 1 {
		return r.opts.Snapshot.Schemas[0].Name
	}
	return r.schema
}

// loadTables picks the tables to load: every table a pending statement names,
// then the largest others, up to extra more (3 when 0).
func loadTables(snap *snapshot.Snapshot, schema string, pending []*migrations.Migration, extra int) []*snapshot.Table {
	if extra == 0 {
		extra = 3
	}
	var sc *snapshot.Schema
	for i := range snap.Schemas {
		if snap.Schemas[i].Name == schema {
			sc = &snap.Schemas[i]
		}
	}
	if sc == nil {
		return nil
	}
	history := map[string]bool{}
	for _, h := range snap.History {
		history[h.Table] = true
	}
	touched := map[string]bool{}
	for _, m := range pending {
		for _, s := range m.Up.Statements {
			for _, name := range mentionedTables(s.Text, sc) {
				touched[name] = true
			}
		}
	}
	var picked, others []*snapshot.Table
	for i := range sc.Tables {
		t := &sc.Tables[i]
		if history[t.Name] {
			continue
		}
		if touched[t.Name] {
			picked = append(picked, t)
		} else {
			others = append(others, t)
		}
	}
	sort.SliceStable(others, func(i, j int) bool { return others[i].Stats.RowCount() > others[j].Stats.RowCount() })
	if len(others) > extra {
		others = others[:extra]
	}
	return append(picked, others...)
}

// mentionedTables returns the schema's tables whose names appear as words in
// a statement (a table in a string literal counts too: Mattermost-style
// migrations run their DDL through PREPARE).
func mentionedTables(text string, sc *snapshot.Schema) []string {
	var out []string
	for _, t := range sc.Tables {
		re := regexp.MustCompile("(?i)(^|[^A-Za-z0-9_$])`?" + regexp.QuoteMeta(t.Name) + "`?($|[^A-Za-z0-9_$])")
		if re.MatchString(text) {
			out = append(out, t.Name)
		}
	}
	return out
}
