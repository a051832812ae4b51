package reproduce

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/evidence"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/scope"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
	"github.com/rehearse/rehearse/snapshot"
)

// obs is one session as one capture showed it.
type obs struct {
	at   time.Time // zero: an undated capture
	s    evidence.Session
	file string
}

// analysis is Analyze's working state and result.
type analysis struct {
	ev      *evidence.Evidence
	snap    *snapshot.Snapshot
	schema  string
	pending []*migrations.Migration

	inc      result.Incident
	problems []string // what the analysis could not tell, line by line
	notes    []string

	ddlTable     string // the DDL's table, as the snapshot names it
	ddlKnown     bool
	ddlStart     time.Time // estimate (absolute); zero when the evidence has no dates
	startLo      time.Time
	startHi      time.Time
	waitRes      float64 // half the width of the wait's range (the evidence's resolution)
	blockerLeadS float64 // how long the blocker was open before the DDL (0: unknown)
}

const waitingMDL = "metadata lock"

// Analyze reads the incident out of the evidence: the DDL that waited for a
// metadata lock (and which statement of the release it is), what it waited
// behind, the queue behind it, the deploy's migrations, and a timeline.
// Everything it cannot tell from the evidence is a line of the returned
// problems, never a silent guess.
func Analyze(ev *evidence.Evidence, snap *snapshot.Snapshot, schema string, pending []*migrations.Migration) (*result.Incident, []string, *Derived) {
	a := &analysis{ev: ev, snap: snap, schema: schema, pending: pending}
	a.run()
	return &a.inc, a.problems, a.derived()
}

// Derived is what the rehearsal needs from the analysis.
type Derived struct {
	Table     string        // the DDL's table ("" when no DDL waited)
	Migration string        // the DDL's migration version ("" = unknown)
	Statement int           // its statement (1-based; 0 = unknown)
	Wait      time.Duration // the DDL's wait (a lower bound when Open)
	Open      bool
	Lead      time.Duration // how long the blocker was open before the DDL (0: unknown)
	Res       time.Duration // the evidence's resolution on the wait
	Notes     []string
}

func (a *analysis) derived() *Derived {
	d := &Derived{Notes: a.notes}
	if a.inc.DDL == nil {
		return d
	}
	d.Table = a.ddlTable
	d.Migration, d.Statement = a.inc.DDL.Migration, a.inc.DDL.Statement
	d.Wait = secs(a.inc.DDL.WaitS)
	d.Open = a.inc.DDL.Open
	d.Res = secs(a.waitRes)
	d.Lead = secs(a.blockerLeadS)
	return d
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func (a *analysis) problem(format string, args ...any) {
	a.problems = append(a.problems, fmt.Sprintf(format, args...))
}

func (a *analysis) run() {
	all := a.observations()
	ddl := a.findDDL(all)
	a.deployMigrations()
	if ddl == nil {
		a.problem("no statement waits for a metadata lock in any capture (%d captures): the evidence shows no pile-up to reproduce", len(a.ev.Samples))
		a.timeline(nil)
		return
	}
	a.ddlWait(all, ddl)
	a.relativeMigrations()
	a.matchStatement(ddl)
	a.blockers(all, ddl)
	a.queue(all, ddl)
	a.relativeMigrations()
	a.timeline(ddl)
}

// observations lists every session of every capture, dated captures in
// time order first.
func (a *analysis) observations() []obs {
	var out []obs
	for _, s := range a.ev.Samples {
		for _, x := range s.Sessions {
			out = append(out, obs{at: s.At, s: x, file: fmt.Sprintf("%s:%d", s.File, x.Line)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].at.IsZero() != out[j].at.IsZero() {
			return !out[i].at.IsZero()
		}
		return out[i].at.Before(out[j].at)
	})
	return out
}

// classified caches each statement's tables and kind.
var tablesCache = map[string]parsedStmt{}

type parsedStmt struct {
	tables []scope.Table
	kind   scope.StatementKind
	ok     bool
}

func parse(sql string) parsedStmt {
	if p, ok := tablesCache[sql]; ok {
		return p
	}
	t, k, ok := scope.Tables(sql)
	p := parsedStmt{t, k, ok}
	tablesCache[sql] = p
	return p
}

// waitingDDL tells whether an observation is a DDL waiting for a metadata lock.
func waitingDDL(o obs) bool {
	if !strings.Contains(o.s.State, waitingMDL) || o.s.Info == "" {
		return false
	}
	p := parse(o.s.Info)
	if p.ok {
		return p.kind == scope.KindDDL
	}
	return ddlWords.MatchString(o.s.Info)
}

var ddlWords = regexp.MustCompile(`(?i)^\s*(ALTER\s+TABLE|CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|DROP\s+INDEX|RENAME\s+TABLE|TRUNCATE|DROP\s+TABLE|OPTIMIZE\s+TABLE)\b`)

// findDDL picks the DDL that waited: the longest waiting one (the first in
// the queue). Another waiting DDL is noted.
func (a *analysis) findDDL(all []obs) *obs {
	var best *obs
	seen := map[int64]bool{}
	for i := range all {
		o := all[i]
		if !waitingDDL(o) {
			continue
		}
		seen[o.s.ID] = true
		if best == nil || o.s.Time > best.s.Time && o.s.ID != best.s.ID {
			best = &all[i]
		}
	}
	if best == nil {
		return nil
	}
	if len(seen) > 1 {
		var ids []string
		for id := range seen {
			if id != best.s.ID {
				ids = append(ids, fmt.Sprint(id))
			}
		}
		sort.Strings(ids)
		a.notes = append(a.notes, fmt.Sprintf("other DDL sessions waited too (%s); the reproduction follows session %d, the longest waiting", strings.Join(ids, ", "), best.s.ID))
	}
	p := parse(best.s.Info)
	table := ""
	if p.ok && len(p.tables) > 0 {
		table = p.tables[0].Name
	} else {
		table = a.tableByName(best.s.Info)
		a.problem("%s: the DDL's statement does not parse (truncated by the processlist?): its table %q was found by name", best.file, table)
	}
	a.ddlTable, a.ddlKnown = a.snapshotTable(table)
	a.inc.DDL = &result.IncidentDDL{Session: best.s.ID, SQL: best.s.Info, Table: a.ddlTable}
	if !a.ddlKnown {
		a.problem("%s: the DDL's table %s is not in the snapshot's database %s: the rehearsal cannot hold it", best.file, table, a.schema)
	}
	return best
}

// snapshotTable is the snapshot's spelling of a table of the migration
// database, and whether the snapshot has it.
func (a *analysis) snapshotTable(name string) (string, bool) {
	for _, s := range a.snap.Schemas {
		if s.Name != a.schema {
			continue
		}
		for _, t := range s.Tables {
			if strings.EqualFold(t.Name, name) {
				return t.Name, true
			}
		}
	}
	return name, false
}

// tableByName finds a table of the snapshot named in a statement that does
// not parse.
func (a *analysis) tableByName(text string) string {
	for _, s := range a.snap.Schemas {
		if s.Name != a.schema {
			continue
		}
		for _, t := range s.Tables {
			re := regexp.MustCompile("(?i)(^|[^A-Za-z0-9_$])`?" + regexp.QuoteMeta(t.Name) + "`?($|[^A-Za-z0-9_$])")
			if re.MatchString(text) {
				return t.Name
			}
		}
	}
	return ""
}

// ddlWait bounds the DDL's start and the end of its wait from every
// capture: each dated capture places its start within a second of
// (capture − Time) (SHOW PROCESSLIST counts whole seconds; TIME_MS to the
// millisecond), the last capture that shows it waiting and the first that
// does not bracket the end, and the deploy log's end of its migration
// bounds it from above.
func (a *analysis) ddlWait(all []obs, ddl *obs) {
	d := a.inc.DDL
	id, sql := ddl.s.ID, ddl.s.Info
	var lo, hi time.Time
	var lastWait, firstAfter time.Time
	var maxTime float64
	undated := true
	for _, o := range all {
		if o.s.ID != id {
			continue
		}
		same := o.s.Info == sql
		if o.at.IsZero() {
			if same && strings.Contains(o.s.State, waitingMDL) && o.s.Time > maxTime {
				maxTime = o.s.Time
			}
			continue
		}
		undated = false
		if same && strings.Contains(o.s.State, waitingMDL) {
			if o.s.HasTime {
				res := time.Second
				if o.s.Precise {
					res = time.Millisecond
				}
				s := o.at.Add(-secs(o.s.Time))
				l, h := s.Add(-res), s.Add(res)
				if lo.IsZero() || l.After(lo) {
					lo = l
				}
				if hi.IsZero() || h.Before(hi) {
					hi = h
				}
			}
			lastWait = o.at
			continue
		}
		if !lastWait.IsZero() && firstAfter.IsZero() && o.at.After(lastWait) {
			firstAfter = o.at
			if same {
				d.Outcome = fmt.Sprintf("got its lock and ran (%s at the next capture)", strings.ToLower(o.s.State))
			} else {
				d.Outcome = "got its lock; the session went on to " + clip(o.s.Info, 60)
			}
		}
	}
	// A session absent from a later dated capture had finished its wait.
	if firstAfter.IsZero() && !lastWait.IsZero() {
		for _, s := range a.ev.Samples {
			if s.At.After(lastWait) && !hasSession(s, id) {
				firstAfter = s.At
				d.Outcome = "got its lock and finished before the next capture"
				break
			}
		}
	}
	if undated {
		// Captures without dates: only the longest Time shows, a lower bound.
		d.WaitS, d.WaitLoS, d.WaitHiS, d.Open = maxTime, maxTime, maxTime, true
		d.Outcome = "unknown: the captures have no dates"
		d.How = "the longest Time an undated capture showed (a lower bound)"
		a.waitRes = 1
		return
	}
	if lo.After(hi) { // captures disagree by more than their resolution: keep the later bound
		a.problem("session %d's Time values disagree by more than a second across captures (clocks of different machines?): its start taken from the latest", id)
		hi = lo.Add(time.Second)
	}
	a.startLo, a.startHi = lo, hi
	a.ddlStart = lo.Add(hi.Sub(lo) / 2)
	a.inc.T0 = a.ddlStart
	end := firstAfter
	how := []string{fmt.Sprintf("its start within %.1f s from the Time of %s", hi.Sub(lo).Seconds(), plural(countObs(all, id), "capture"))}
	if up, src := a.deployEnd(); !up.IsZero() && (end.IsZero() || up.Before(end)) && up.After(lastWait) {
		end = up
		how = append(how, "its end no later than "+src)
	}
	waitLo := lastWait.Sub(hi).Seconds()
	if end.IsZero() {
		d.Open = true
		d.WaitS, d.WaitLoS, d.WaitHiS = lastWait.Sub(a.ddlStart).Seconds(), math.Max(waitLo, 0), math.Inf(1)
		d.WaitHiS = 0
		if d.Outcome == "" {
			d.Outcome = "still waiting at the last capture"
		}
		how = append(how, "still waiting at the last capture: the wait is at least this long")
		a.waitRes = hi.Sub(lo).Seconds() / 2
	} else {
		waitHi := end.Sub(lo).Seconds()
		d.WaitLoS, d.WaitHiS = math.Max(waitLo, 0), waitHi
		d.WaitS = (d.WaitLoS + d.WaitHiS) / 2
		a.waitRes = (d.WaitHiS - d.WaitLoS) / 2
		if firstAfter == end {
			how = append(how, fmt.Sprintf("its end between the last capture that shows it waiting and the next (%.1f s apart)", end.Sub(lastWait).Seconds()))
		}
	}
	d.How = strings.Join(how, "; ")
}

func hasSession(s evidence.Sample, id int64) bool {
	for _, x := range s.Sessions {
		if x.ID == id {
			return true
		}
	}
	return false
}

func countObs(all []obs, id int64) int {
	n := 0
	for _, o := range all {
		if o.s.ID == id && !o.at.IsZero() {
			n++
		}
	}
	return n
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// normalize makes statement texts comparable: no comments' whitespace,
// backticks or case differences, no trailing semicolon.
func normalize(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, "`", ""))
	s = strings.TrimSuffix(strings.TrimSpace(s), ";")
	return strings.Join(strings.Fields(s), " ")
}

// matchStatement finds the DDL among the release's statements: by its
// text (the processlist may cut it: a prefix matches), else by the
// migration the deploy log shows running when it started.
func (a *analysis) matchStatement(ddl *obs) {
	d := a.inc.DDL
	// A runner that sends a whole file at once (golang-migrate) shows the
	// whole file as the statement: the first DDL in it is the one waiting.
	want := normalize(ddl.s.Info)
	if stmts, err := sqlsplit.SplitString(ddl.s.Info, sqlsplit.Options{}); err == nil && len(stmts) >= 1 {
		for _, st := range stmts {
			if p := parse(st.Text); p.ok && p.kind == scope.KindDDL {
				want = normalize(st.Text)
				d.SQL = st.Text
				break
			}
		}
	}
	for _, m := range a.pending {
		for i, st := range m.Up.Statements {
			got := normalize(st.Text)
			if got == want || (len(want) >= 40 && strings.HasPrefix(got, want)) {
				d.Migration, d.Statement, d.MatchedBy = m.Version, i+1, "its text is statement "+fmt.Sprint(i+1)+" of "+m.Version
				return
			}
		}
	}
	// The deploy log: the migration running at the DDL's start.
	for _, m := range a.inc.Migrations {
		if m.StartS <= 0.5 && (m.Status == "started" || m.EndS >= 0) {
			for _, p := range a.pending {
				if sameVersion(p, m.Version) {
					d.Migration, d.Statement, d.MatchedBy = p.Version, 1, "the deploy log shows "+m.Version+" running when it started (statement taken as the migration's first)"
					a.problem("the waiting DDL %q is not a statement of the release's migrations as written: attributed to %s, which the deploy log shows running", clip(ddl.s.Info, 80), m.Version)
					return
				}
			}
		}
	}
	a.problem("the waiting DDL %q matches no statement of the pending migrations and no deploy log line places it: the rehearsal holds its table before the first pending migration", clip(ddl.s.Info, 80))
}

func sameVersion(m *migrations.Migration, v string) bool {
	t := func(s string) string { return strings.TrimLeft(s, "0") }
	return t(m.Version) == t(v) || t(m.Key) == t(v)
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}
