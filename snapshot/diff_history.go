package snapshot

import (
	"fmt"
	"strings"
)

// history reports migration history drift: runners present on one side,
// versions applied on one side only, dirty or failed entries, checksums.
func (d *differ) history() {
	key := func(h *History) string { return h.Runner + " " + h.Table }
	ha, hb := map[string]*History{}, map[string]*History{}
	for i := range d.a.History {
		ha[key(&d.a.History[i])] = &d.a.History[i]
	}
	for i := range d.b.History {
		hb[key(&d.b.History[i])] = &d.b.History[i]
	}
	for _, k := range unionKeys(ha, hb) {
		a, b := ha[k], hb[k]
		switch {
		case b == nil:
			d.add(DriftHistory, historyName(a), d.only(true), fmt.Sprintf("%d entries", len(a.Entries)), "",
				"{B} has no %s history table: the runner there would treat every migration as pending and try to run all of them", a.Runner)
			d.badStates(a, nil)
		case a == nil:
			d.add(DriftHistory, historyName(b), d.only(false), "", fmt.Sprintf("%d entries", len(b.Entries)),
				"{A} has no %s history table: the runner there would treat every migration as pending and try to run all of them", b.Runner)
			d.badStates(nil, b)
		default:
			d.entries(a, b)
			d.badStates(a, b)
		}
	}
}

func historyName(h *History) string { return fmt.Sprintf("%s %s.%s", h.Runner, h.Schema, h.Table) }

// state is how a history records one version: "dirty", "failed" or "".
func state(e *HistoryEntry) string {
	switch {
	case e.Failed:
		return "failed"
	case e.Dirty:
		return "dirty"
	}
	return ""
}

// badStates reports versions that are dirty or failed on one side and not
// in the same state on the other (the same broken state on both sides is
// not drift; it is noted).
func (d *differ) badStates(a, b *History) {
	sa, sb := map[string]string{}, map[string]string{}
	if a != nil {
		for i := range a.Entries {
			if st := state(&a.Entries[i]); st != "" {
				sa[a.Entries[i].Version] = st
			}
		}
	}
	if b != nil {
		for i := range b.Entries {
			if st := state(&b.Entries[i]); st != "" {
				sb[b.Entries[i].Version] = st
			}
		}
	}
	h := a
	if h == nil {
		h = b
	}
	for _, v := range unionKeys(sa, sb) {
		x, y := sa[v], sb[v]
		if x == y {
			d.r.Notes = append(d.r.Notes, fmt.Sprintf("%s: migration %s is %s in both environments: repair it before the release", historyName(h), v, x))
			continue
		}
		where, st := "{A}", x
		if x == "" {
			where, st = "{B}", y
		}
		d.add(DriftHistory, historyName(h)+" "+v, "differs", orDefault(x, "ok"), orDefault(y, "ok"),
			"migration %s is recorded as %s in %s: it stopped half-way (MySQL DDL is not transactional, so part of it may have committed) and %s refuses to run further migrations there until someone repairs the schema and the history by hand", v, st, where, h.Runner)
	}
}

// entries compares the applied versions of one runner on both sides.
func (d *differ) entries(a, b *History) {
	ea, eb := map[string]*HistoryEntry{}, map[string]*HistoryEntry{}
	for i := range a.Entries {
		ea[a.Entries[i].Version] = &a.Entries[i]
	}
	for i := range b.Entries {
		eb[b.Entries[i].Version] = &b.Entries[i]
	}
	if a.Runner == "golang-migrate" || a.Runner == "alembic" {
		// These keep only the current version (heads), not a log.
		va, vb := versions(a), versions(b)
		if va != vb {
			d.add(DriftHistory, historyName(a), "differs", va, vb,
				"the environments are at different migration versions (%s in {A}, %s in {B}): a release rehearsed on one starts from another schema than it will meet on the other", va, vb)
		}
		return
	}
	var onlyA, onlyB []string
	for _, v := range unionKeys(ea, eb) {
		x, y := ea[v], eb[v]
		switch {
		case y == nil:
			onlyA = append(onlyA, v)
		case x == nil:
			onlyB = append(onlyB, v)
		case x.Checksum != "" && y.Checksum != "" && x.Checksum != y.Checksum:
			d.add(DriftHistory, historyName(a)+" "+v, "differs", "checksum "+x.Checksum, "checksum "+y.Checksum,
				"migration %s ran from a different file in each environment (checksums differ): the schemas may differ, and %s's validation fails", v, a.Runner)
		}
	}
	for _, v := range onlyA {
		d.add(DriftHistory, historyName(a)+" "+v, d.only(true), "applied", "not applied",
			"migration %s is applied in {A} but not in {B}: {B} is behind (or {A} had it applied by hand); a release that assumes it runs against a different schema in {B}", v)
	}
	for _, v := range onlyB {
		d.add(DriftHistory, historyName(a)+" "+v, d.only(false), "not applied", "applied",
			"migration %s is applied in {B} but not in {A}: it will run in {A} for the first time in this release, so a rehearsal on {B} did not test it from {A}'s state", v)
	}
}

func versions(h *History) string {
	var vs []string
	for _, e := range h.Entries {
		vs = append(vs, e.Version)
	}
	if len(vs) == 0 {
		return "none"
	}
	return strings.Join(vs, ",")
}
