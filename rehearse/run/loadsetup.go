package run

import (
	"context"
	"fmt"
	"regexp"
	"sort"

	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/snapshot"
)

// startLoad builds the pre-release workload and starts it: the tables the
// release touches, plus the largest others up to LoadTables, from the
// snapshot's definitions (that is what the running application does during a
// deploy).
func (r *rehearsal) startLoad(ctx context.Context, pending []*migrations.Migration) (*load.Generator, error) {
	o := r.opts
	tables := loadTables(o.Snapshot, r.snapshotSchema(), pending, o.LoadTables)
	if len(tables) == 0 {
		return nil, fmt.Errorf("load: the database %s has no table to put load on", r.schema)
	}
	var tl []load.TableLoad
	for _, t := range tables {
		tl = append(tl, load.TableLoad{Schema: r.schema, Table: t})
	}
	prof, err := load.DefaultProfile(tl, load.DefaultMix)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if len(o.Snapshot.Digests) > 0 && r.srv.Database == "" {
		// Production's own statement mix, when the snapshot has it.
		dp, skipped, err := load.ProfileFromDigests(o.Snapshot, load.DigestOptions{Scale: o.Scale})
		switch {
		case err != nil:
			r.logf("load: digests not usable (%v); using the default mix", err)
		case len(dp.Templates) == 0:
			r.logf("load: no digest maps to a statement shape (%d skipped); using the default mix", len(skipped))
		default:
			prof = dp
			r.report.Inputs.LoadProfile = fmt.Sprintf("digests (%d shapes, %d skipped)", len(dp.Templates), len(skipped))
		}
	}
	r.profile = prof
	rate := o.LoadRate
	if rate == 0 {
		rate = DefaultLoadRate
	}
	// An application's pool has several connections per table; with only
	// two, both may be stuck on reads when an ALTER queues, and the writers
	// would wait inside the generator instead of in the server's lock queue.
	gen, err := load.New(r.db, prof, load.Options{Rate: rate, Seed: uint64(o.Seed) + 1, ConnsPerTable: LoadConnsPerTable})
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if err := gen.Start(ctx); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	r.gen = gen
	return gen, nil
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
