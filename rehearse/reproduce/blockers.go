package reproduce

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/evidence"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/scope"
)

// blockers finds what the DDL waited behind: sessions whose statement
// names its table and began before it; transactions of the InnoDB status
// open before it that hold its table (their locks, or their statement);
// failing both, the one transaction older than the DDL (an inference, said
// as such). Sessions holding tables the snapshot lacks are problems.
func (a *analysis) blockers(all []obs, ddl *obs) {
	if a.ddlStart.IsZero() {
		a.problem("the captures have no dates: the blocker's timing cannot be placed; the rehearsal opens it just before the DDL")
	}
	found := map[int64]*result.IncidentBlocker{}
	order := []int64{}
	add := func(b *result.IncidentBlocker) {
		if old, ok := found[b.Session]; ok {
			if b.StartS < old.StartS {
				old.StartS = b.StartS
			}
			if old.Statement == "" {
				old.Statement = b.Statement
			}
			if old.TablesFrom != "statement" && b.TablesFrom == "statement" || strings.HasPrefix(old.TablesFrom, "inferred") {
				old.Tables, old.TablesFrom = b.Tables, b.TablesFrom
			}
			if b.RowLocks > old.RowLocks {
				old.RowLocks = b.RowLocks
			}
			return
		}
		found[b.Session] = b
		order = append(order, b.Session)
	}
	// 1. Sessions running a statement on the DDL's table that began before
	// it. A statement some capture shows waiting for a metadata lock is
	// queued behind the DDL, whatever state another capture caught it in
	// (a writer caught "Opening tables" on its way into the queue).
	type stmt struct {
		id   int64
		info string
	}
	queued := map[stmt]bool{}
	for _, o := range all {
		if strings.Contains(o.s.State, waitingMDL) {
			queued[stmt{o.s.ID, o.s.Info}] = true
		}
	}
	for _, o := range all {
		if o.s.ID == ddl.s.ID || o.s.Info == "" || strings.Contains(o.s.State, waitingMDL) || o.at.IsZero() || !o.s.HasTime || queued[stmt{o.s.ID, o.s.Info}] {
			continue
		}
		p := parse(o.s.Info)
		if !p.ok || p.kind == scope.KindOther {
			continue
		}
		start := o.at.Add(-secs(o.s.Time))
		if !start.Before(a.startHi) {
			continue
		}
		tables := a.tableNames(p.tables)
		if !containsFold(tables, a.ddlTable) {
			a.otherTables(o, tables)
			continue
		}
		add(&result.IncidentBlocker{Session: o.s.ID, Statement: o.s.Info, Tables: tables, TablesFrom: "statement", StartS: a.rel(start)})
	}
	// 2. Transactions of the InnoDB status, open before the DDL.
	var older []*result.IncidentBlocker
	for _, st := range a.ev.InnoDB {
		for _, t := range st.Transactions {
			if !t.Started || t.ThreadID == 0 || t.ThreadID == ddl.s.ID || t.Waiting || st.At.IsZero() {
				continue
			}
			start := st.At.Add(-secs(t.Active))
			// ACTIVE counts whole seconds: open before the DDL when its
			// start is at least a second before the DDL's latest start.
			if !a.ddlStart.IsZero() && !start.Before(a.startHi) {
				continue
			}
			src := fmt.Sprintf("%s:%d", st.File, t.Line)
			var tables []string
			from := ""
			for _, l := range t.Locks {
				if strings.EqualFold(l.Schema, a.schema) || l.Schema == "" {
					tables = appendOnce(tables, l.Table)
				} else {
					tables = appendOnce(tables, l.Schema+"."+l.Table)
				}
				from = "innodb-locks"
			}
			if t.Query != "" {
				if p := parse(t.Query); p.ok {
					for _, n := range a.tableNames(p.tables) {
						tables = appendOnce(tables, n)
					}
					if from == "" {
						from = "statement"
					}
				}
			}
			b := &result.IncidentBlocker{Session: t.ThreadID, Statement: t.Query, Tables: tables, TablesFrom: from, StartS: a.rel(start), RowLocks: t.RowLocks}
			if containsFold(tables, a.ddlTable) {
				b.Note = "open transaction at " + src
				add(b)
				continue
			}
			if len(tables) > 0 {
				a.otherTables(obs{s: evidence.Session{ID: t.ThreadID, Info: t.Query}, file: src}, tables)
				continue
			}
			b.Note = fmt.Sprintf("open transaction at %s with no table visible (%d row locks; innodb_status_output_locks was off?)", src, t.RowLocks)
			older = append(older, b)
		}
	}
	if len(order) == 0 {
		switch len(older) {
		case 0:
			a.problem("no session or transaction in the evidence holds %s and began before the DDL: the blocker is not identified (a read-only transaction shows in no InnoDB status on MySQL); the rehearsal stands in a transaction holding %s for the DDL's observed wait", a.ddlTable, a.ddlTable)
		case 1:
			b := older[0]
			b.Tables, b.TablesFrom = []string{a.ddlTable}, "inferred: the only transaction open before the DDL (no statement or lock of it names a table)"
			a.problem("session %d's table is not in the evidence: taken as the blocker of %s because it is the only transaction open before the DDL", b.Session, a.ddlTable)
			add(b)
		default:
			var ids []string
			for _, b := range older {
				ids = append(ids, fmt.Sprint(b.Session))
			}
			a.problem("sessions %s had transactions open before the DDL and no table visible: which held %s is not in the evidence; the rehearsal stands in one transaction for the DDL's observed wait", strings.Join(ids, ", "), a.ddlTable)
		}
	}
	for _, id := range order {
		b := found[id]
		if gone := a.blockerEnd(b); !gone.IsZero() && !a.startLo.IsZero() && !gone.After(a.startLo) {
			// Gone from a capture taken before the DDL can have started:
			// it held the table earlier, not while the DDL waited.
			a.notes = append(a.notes, fmt.Sprintf("session %d (%s) held %s but was gone by %+.1f s, before the DDL started: not a blocker",
				b.Session, clip(b.Statement, 60), a.ddlTable, a.rel(gone)))
			continue
		}
		a.inc.Blockers = append(a.inc.Blockers, *b)
	}
	sort.SliceStable(a.inc.Blockers, func(i, j int) bool { return a.inc.Blockers[i].StartS < a.inc.Blockers[j].StartS })
	if len(a.inc.Blockers) > 0 {
		lead := -a.inc.Blockers[0].StartS
		if lead > 0 {
			a.blockerLeadS = lead
		}
	}
}

// blockerEnd places a blocker's end: between the last dated capture that
// shows it holding (its statement, or idle with its Time still counting)
// and the next one, where it is gone or its Time started again (a new
// command: its COMMIT). It returns that next capture's time (zero when the
// blocker was still holding at the last capture, or nothing is dated).
func (a *analysis) blockerEnd(b *result.IncidentBlocker) time.Time {
	if a.ddlStart.IsZero() {
		return time.Time{}
	}
	var last time.Time
	var lastTime float64
	var info string
	for _, smp := range a.ev.Samples {
		if smp.At.IsZero() {
			continue
		}
		var x *evidence.Session
		for i := range smp.Sessions {
			if smp.Sessions[i].ID == b.Session {
				x = &smp.Sessions[i]
			}
		}
		holding := x != nil && !last.IsZero() && x.Info == info && x.Time+1.5 >= lastTime+smp.At.Sub(last).Seconds()
		if last.IsZero() && x != nil && a.rel(smp.At.Add(-secs(x.Time))) <= b.StartS+1.5 {
			holding = true
		}
		if holding {
			last, lastTime, info = smp.At, x.Time, x.Info
			continue
		}
		if !last.IsZero() {
			end := last.Add(smp.At.Sub(last) / 2)
			b.EndS, b.EndKnown = a.rel(end), true
			return smp.At
		}
	}
	if !last.IsZero() {
		b.EndS = a.rel(last)
		b.Note = strings.TrimSpace(b.Note + "; still holding at the last capture")
	}
	return time.Time{}
}

// tableNames are the snapshot's names of parsed tables (qualified by their
// database when it is not the migration database).
func (a *analysis) tableNames(ts []scope.Table) []string {
	var out []string
	for _, t := range ts {
		if t.Schema != "" && !strings.EqualFold(t.Schema, a.schema) {
			out = append(out, t.Schema+"."+t.Name)
			continue
		}
		name, _ := a.snapshotTable(t.Name)
		out = append(out, name)
	}
	return out
}

// otherTables reports a session that held tables other than the DDL's,
// when the snapshot lacks them (it cannot be rehearsed).
func (a *analysis) otherTables(o obs, tables []string) {
	for _, t := range tables {
		if _, ok := a.snapshotTable(t); !ok && !strings.Contains(t, ".") {
			a.problem("%s: session %d holds %s, which the snapshot lacks: not rehearsed (it did not block the DDL's table %s)", o.file, o.s.ID, t, a.ddlTable)
		}
	}
}

func (a *analysis) rel(t time.Time) float64 {
	if a.ddlStart.IsZero() || t.IsZero() {
		return 0
	}
	return t.Sub(a.ddlStart).Seconds()
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func appendOnce(list []string, s string) []string {
	if containsFold(list, s) {
		return list
	}
	return append(list, s)
}
