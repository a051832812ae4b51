package migrations

import (
	"github.com/rehearse/rehearse/snapshot"
	"github.com/rehearse/rehearse/snapshot/history"
)

// Applied is what one runner's history table says of a folder: the one
// answer to "which migrations are pending" that plan, run, diff, capacity,
// reproduce and the scenarios share.
type Applied struct {
	// Entries maps each migration key the history records as applied to
	// its entry (a cumulative history's versions up to the current one get
	// an entry holding only the key).
	Entries map[string]snapshot.HistoryEntry
	// Current is a cumulative history's current version (golang-migrate's
	// single row), nil otherwise or when the table is empty.
	Current *snapshot.HistoryEntry
	// Dirty are the entries recorded as dirty or failed. A cumulative
	// runner's dirty current version stays applied: golang-migrate records
	// it as current and refuses `migrate up` ("Dirty database version N.
	// Fix and force version."), so it never runs it again by itself and
	// what follows it is what is pending once someone forces the version.
	// Any other runner's dirty or failed entry is not applied: the runner
	// retries it (or refuses until it is repaired), so it is pending.
	// Either way the caller must say so (finding RH002, drift in a diff).
	Dirty []snapshot.HistoryEntry
}

// HistoryOf returns the snapshot's history table that records format's
// migrations (its runner's, or a runner that reads the same files), nil
// when there is none.
func HistoryOf(snap *snapshot.Snapshot, format string) *snapshot.History {
	f, err := Lookup(format)
	if err != nil {
		return nil
	}
	for i := range snap.History {
		if f.History().Records(snap.History[i].Runner) {
			return &snap.History[i]
		}
	}
	return nil
}

// AppliedBy reads history h (nil: nothing applied) against set.
func AppliedBy(set *Set, h *snapshot.History) Applied {
	a := Applied{Entries: map[string]snapshot.HistoryEntry{}}
	if h == nil {
		return a
	}
	f, err := Lookup(set.Format)
	if err != nil {
		return a
	}
	if history.Cumulative(h.Runner) { // the last entry is the current version; everything up to it is applied
		if len(h.Entries) == 0 {
			return a
		}
		cur := h.Entries[len(h.Entries)-1]
		a.Current = &cur
		key := f.HistoryKey(cur.Version, cur.Name)
		for _, m := range set.Migrations {
			if !f.Less(&Migration{Key: key, Version: key}, &Migration{Key: m.Key, Version: m.Key}) {
				a.Entries[m.Key] = snapshot.HistoryEntry{Version: m.Key}
			}
		}
		if cur.Dirty || cur.Failed {
			a.Dirty = append(a.Dirty, cur)
		}
		return a
	}
	for _, e := range h.Entries {
		if e.Dirty || e.Failed {
			a.Dirty = append(a.Dirty, e)
			continue
		}
		a.Entries[f.HistoryKey(e.Version, e.Name)] = e
	}
	return a
}

// Pending returns the migrations of set that a holds no entry for, in the
// folder's order, and a repeatable one whose text changed since the
// history's checksum (Flyway re-runs it).
func (a Applied) Pending(set *Set) []*Migration {
	f, _ := Lookup(set.Format)
	var out []*Migration
	for i := range set.Migrations {
		m := &set.Migrations[i]
		e, ok := a.Entries[m.Key]
		if ok && !(m.Repeatable && f != nil && f.History().Checksum && e.Checksum != "" && !m.ChecksumMatches(e.Checksum)) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// Pending is the pending set of set against the snapshot's history of its
// format (every migration when the snapshot has none, or the format has no
// history: a declarative target). Planning adds the findings (rehearse/plan).
func Pending(set *Set, snap *snapshot.Snapshot) []*Migration {
	if set == nil {
		return nil
	}
	var h *snapshot.History
	if f, err := Lookup(set.Format); err == nil && !f.History().None && snap != nil {
		h = HistoryOf(snap, set.Format)
	}
	return AppliedBy(set, h).Pending(set)
}
