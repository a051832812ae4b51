package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/snapshot"
	"github.com/rehearse/rehearse/snapshot/history"
)

// ErrNoSharedHistory is wrapped when the snapshot's history and the folder
// have no migration in common (wrong folder or wrong snapshot).
var ErrNoSharedHistory = errors.New("the snapshot's history and the migrations folder share no migration")

// historyOf is what the format knows of its runner's history table.
func historyOf(format string) migrations.History {
	if f, err := migrations.Lookup(format); err == nil {
		return f.History()
	}
	return migrations.History{}
}

// pickHistory chooses the snapshot's history table for the format: one of
// the format's runners (in schema when given), else the only history.
func pickHistory(snap *snapshot.Snapshot, format, schema string) *snapshot.History {
	var only *snapshot.History
	n := 0
	for i := range snap.History {
		h := &snap.History[i]
		if schema != "" && h.Schema != schema && !history.Registry(h.Runner) { // a registry (Sqitch's) records another database
			continue
		}
		n++
		only = h
		if historyOf(format).Records(h.Runner) {
			return h
		}
	}
	if n == 1 {
		return only
	}
	return nil
}

// historyOptions say how to read the snapshot's history: the severity
// overrides of rehearse.yaml (RH008 at warning lets the plan go on), and
// whether the release is the runner's first on production.
type historyOptions struct {
	config        *Config
	firstAdoption bool
	otherRunner   bool // the only history was another runner's (RH008 at warning)
}

// ErrFirstAdoptionWithHistory is wrapped when the release is declared the
// runner's first on production but the snapshot holds that runner's history.
var ErrFirstAdoptionWithHistory = errors.New("first adoption declared, but production already has the runner's history")

// runsFormat tells whether a history table of runner records format's
// migrations.
func runsFormat(format, runner string) bool {
	return historyOf(format).Records(runner)
}

// ownHistory is the history of the folder's runner among what pickHistory
// found. A declared first adoption ignores another runner's table and
// refuses the runner's own table with entries. Undeclared, another
// runner's table is not the folder's history even when versions happen to
// match (goose's 1, 2 are not golang-migrate's 1, 2: golang-migrate keeps
// its own table and would run both): that is RH008 (noSharedHistory).
func ownHistory(set *migrations.Set, h *snapshot.History, ho historyOptions) (*snapshot.History, []Finding, error) {
	if h == nil {
		return nil, nil, nil
	}
	if historyOf(set.Format).None {
		return nil, nil, nil
	}
	own := runsFormat(set.Format, h.Runner) || len(historyOf(set.Format).Readers) == 0
	switch {
	case ho.firstAdoption && own && len(h.Entries) > 0:
		return nil, nil, rehearse.WithHint(fmt.Errorf("%w: %s.%s (%s) holds %d entries, newest %s",
			ErrFirstAdoptionWithHistory, h.Schema, h.Table, h.Runner, len(h.Entries), h.Entries[len(h.Entries)-1].Version),
			"leave out --first-adoption (and history: {first_adoption: true} in rehearse.yaml): production already runs %s, and its history says what is pending", h.Runner)
	case ho.firstAdoption, own:
		if ho.firstAdoption {
			return nil, nil, nil
		}
		return h, nil, nil
	}
	f, err := noSharedHistory(set, h, ho)
	if err != nil || f == nil {
		return nil, nil, err
	}
	return nil, []Finding{*f}, nil
}

// pendingSet computes the pending migrations and the history findings.
func pendingSet(set *migrations.Set, h *snapshot.History, ho historyOptions) ([]*migrations.Migration, *HistoryRef, []Finding, error) {
	format, _ := migrations.Lookup(set.Format)
	var findings []Finding
	if format.History().None { // a declarative target: computed, always pending
		out := make([]*migrations.Migration, len(set.Migrations))
		for i := range set.Migrations {
			out[i] = &set.Migrations[i]
		}
		return out, nil, nil, nil
	}
	if h == nil {
		switch {
		case ho.otherRunner:
			// RH008 said it: the only history is another runner's.
		case ho.firstAdoption:
			findings = append(findings, newFinding(codes.FirstAdoption, "", "", 0,
				"declared the runner's first run on production (first adoption): the snapshot holds no %s history table, so every one of the %d migrations in %s is pending and was planned against production's schema; a migration that creates what production already has fails here as it would there (baseline those first)", set.Format, len(set.Migrations), set.Dir))
		default:
			findings = append(findings, newFinding(codes.NoHistory, "", "", 0,
				"the snapshot holds no %s history table: every migration in %s counts as pending. If this release is the runner's first on production, declare it (--first-adoption, or history: {first_adoption: true} in rehearse.yaml); otherwise snapshot the database the runner migrates", set.Format, set.Dir))
		}
		out := make([]*migrations.Migration, len(set.Migrations))
		for i := range set.Migrations {
			out[i] = &set.Migrations[i]
		}
		return out, nil, findings, nil
	}
	ref := &HistoryRef{Runner: h.Runner, Schema: h.Schema, Table: h.Table, Applied: len(h.Entries)}
	ap := migrations.AppliedBy(set, h)
	applied := ap.Entries
	if cur := ap.Current; cur != nil { // a cumulative history: its current version and everything up to it are applied
		ref.Newest = cur.Version
		key := format.HistoryKey(cur.Version, cur.Name)
		if cur.Dirty || cur.Failed {
			findings = append(findings, newFinding(codes.Dirty, key, "", 0,
				"%s's history says version %s is dirty: the last run failed half-way, part of it may have been applied, and the runner refuses to run until someone forces a version (planned as applied, as the runner records it: the pending set is what follows it)", h.Runner, cur.Version))
		}
		if set.Find(key) == nil {
			findings = append(findings, newFinding(codes.HistoryWithoutFile, key, "", 0,
				"the current version %s in %s.%s has no migration file in %s", cur.Version, h.Schema, h.Table, set.Dir))
		}
		ref.Applied = len(applied)
	} else if !history.Cumulative(h.Runner) {
		for _, e := range h.Entries {
			key := format.HistoryKey(e.Version, e.Name)
			if e.Dirty || e.Failed { // not applied (migrations.AppliedBy): the runner retries or refuses it
				findings = append(findings, newFinding(codes.Dirty, key, "", 0,
					"the history records %s (%s) as failed or partial: the last deploy died half-way; the runner will refuse or retry it on a half-changed schema", e.Version, e.Name))
				continue
			}
			ref.Newest = e.Version
			if set.Find(key) == nil {
				findings = append(findings, newFinding(codes.HistoryWithoutFile, key, "", 0,
					"history entry %s %s in %s.%s has no migration file in %s (deleted, renamed, or applied from another branch)", e.Version, e.Name, h.Schema, h.Table, set.Dir))
			}
		}
	}
	shared := 0
	var newest *migrations.Migration
	for i := range set.Migrations {
		m := &set.Migrations[i]
		if _, ok := applied[m.Key]; ok {
			shared++
			if newest == nil || format.Less(newest, m) {
				newest = m
			}
		}
	}
	if len(applied) > 0 && shared == 0 {
		if f, err := noSharedHistory(set, h, ho); err != nil {
			return nil, ref, findings, err
		} else if f != nil {
			findings = append(findings, *f)
		}
	}
	var pending []*migrations.Migration
	for i := range set.Migrations {
		m := &set.Migrations[i]
		e, ok := applied[m.Key]
		if ok {
			if hist := format.History(); e.Checksum != "" && hist.Checksum && !m.ChecksumMatches(e.Checksum) {
				if m.Repeatable {
					pending = append(pending, m) // Flyway re-runs a changed repeatable
					continue
				}
				findings = append(findings, newFinding(codes.ChecksumChanged, m.Key, m.Up.File, 1,
					"%s was edited after it was applied (history checksum %s, file %s): production ran the old text, and a database built from the folder differs from it%s", m.Up.File, e.Checksum, m.Up.Checksum, note(hist.ChecksumNote)))
			}
			continue
		}
		pending = append(pending, m)
		if newest != nil && !m.Repeatable && format.Less(m, newest) {
			findings = append(findings, newFinding(codes.OutOfOrder, m.Key, m.Up.File, m.Up.Line,
				"%s is pending but older than %s, the newest applied migration: cherry-picked or merged late; most runners refuse it or need an out-of-order flag, and it was never run after the migrations that follow it", m.ID(), newest.ID()))
		}
	}
	return pending, ref, findings, nil
}

// noSharedHistory is RH008: the history and the folder have no migration
// in common. At error severity (the default) planning stops (exit 2): the
// folder or the snapshot is the wrong one, and a plan would call every
// migration pending. rehearse.yaml can lower it (the plan then goes on
// with every migration the history lacks) or disable it.
func noSharedHistory(set *migrations.Set, h *snapshot.History, ho historyOptions) (*Finding, error) {
	newest := ""
	if len(h.Entries) > 0 {
		newest = h.Entries[len(h.Entries)-1].Version
	}
	msg := fmt.Sprintf("%s.%s (%s) holds %d entries, newest %s, and none matches a %s migration in %s",
		h.Schema, h.Table, h.Runner, len(h.Entries), newest, set.Format, set.Dir)
	hint := fmt.Sprintf("check that --migrations is this application's folder and --snapshot its production database (see %s)", DocsPage(codes.NoSharedHistory))
	if !runsFormat(set.Format, h.Runner) {
		msg = fmt.Sprintf("the snapshot's only history is %s's (%s.%s, %d entries, newest %s) and %s is a %s folder: %s keeps its own history table, which production does not have, so it would run every migration in the folder",
			h.Runner, h.Schema, h.Table, len(h.Entries), newest, set.Dir, set.Format, set.Format)
		hint = fmt.Sprintf("if this release is %s's first run on production, declare it: --first-adoption (or history: {first_adoption: true} in rehearse.yaml); "+
			"else name the folder's format with --migrations-format, or check --migrations and --snapshot (see %s)", set.Format, DocsPage(codes.NoSharedHistory))
	}
	sev, enabled := ho.config.Severity(codes.NoSharedHistory, codes.Get(codes.NoSharedHistory).Severity)
	if !enabled {
		return nil, nil
	}
	if sev == SevError {
		return nil, rehearse.WithHint(fmt.Errorf("%w: %s", ErrNoSharedHistory, msg), "%s", hint)
	}
	f := newFinding(codes.NoSharedHistory, "", "", 0, "%s; every migration the history lacks is planned as pending (rehearse.yaml sets %s to %s)", msg, codes.NoSharedHistory, sev)
	f.Severity = sev
	f.Recommendation = hint
	return &f, nil
}

// note is "; " + s, or "" when s is empty.
func note(s string) string {
	if s == "" {
		return ""
	}
	return "; " + s
}

// schemaFor picks the database the migrations apply to.
func schemaFor(snap *snapshot.Snapshot, want string, h *snapshot.History) (string, error) {
	if want != "" {
		for _, s := range snap.Schemas {
			if s.Name == want {
				return want, nil
			}
		}
		return "", rehearse.WithHint(fmt.Errorf("the snapshot has no database %q", want), "use one of: %s", schemaNames(snap))
	}
	if h != nil && h.Schema != "" && !history.Registry(h.Runner) {
		return h.Schema, nil
	}
	if len(snap.Schemas) == 1 {
		return snap.Schemas[0].Name, nil
	}
	if h != nil && history.Registry(h.Runner) && len(snap.Schemas) == 2 { // the registry and the application's database
		for _, s := range snap.Schemas {
			if s.Name != h.Schema {
				return s.Name, nil
			}
		}
	}
	return "", rehearse.WithHint(fmt.Errorf("the snapshot has %d databases and no migration history to tell which one the migrations apply to", len(snap.Schemas)),
		"name it with --schema (one of: %s)", schemaNames(snap))
}

func schemaNames(snap *snapshot.Snapshot) string {
	var n []string
	for _, s := range snap.Schemas {
		n = append(n, s.Name)
	}
	return strings.Join(n, ", ")
}
