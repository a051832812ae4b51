package run

import (
	"fmt"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/locks"
	"github.com/rehearse/rehearse/rehearse/result"
)

// TimelineStep is the report timeline's bucket.
var TimelineStep = 100 * time.Millisecond

// measure turns the statement runs, the load's op log and the monitor's waits
// into the report's per-statement metrics, baseline and timeline.
func (r *rehearsal) measure(f *forward, lr *load.Result, mr *locks.Result, baseFrom, baseTo time.Time) {
	if lr != nil && !baseFrom.IsZero() {
		w := window(r, lr.Window(baseFrom, baseTo))
		r.report.Baseline = &w
	}
	longTxnConns := map[int64]string{}
	f.mu.Lock()
	filled := map[int]bool{}
	for _, lt := range f.longTxns {
		longTxnConns[lt.connID] = lt.inj.Spec
		// Each started transaction fills its injection's entry (by spec,
		// in order: the entries list fail-at injections too).
		for i := range r.report.Injections {
			if filled[i] || r.report.Injections[i].Spec != lt.inj.Spec {
				continue
			}
			filled[i] = true
			r.report.Injections[i].StartS = r.since(lt.start)
			end := lt.end
			if end.IsZero() {
				end = time.Now()
			}
			r.report.Injections[i].EndS = r.since(end)
			break
		}
	}
	f.mu.Unlock()

	byVersion := map[string]*result.Migration{}
	var order []string
	for _, run := range f.runs {
		if run.dir != "up" {
			continue
		}
		m, ok := byVersion[run.mig.Version]
		if !ok {
			m = &result.Migration{Version: run.mig.Version, Name: run.mig.Name, File: run.mig.Up.File, Status: "not_run"}
			byVersion[run.mig.Version] = m
			order = append(order, run.mig.Version)
		}
		st := r.statement(run, prevEnd(f.runs, run), lr, mr, longTxnConns)
		m.Statements = append(m.Statements, st)
		if run.run {
			m.DurationS += st.DurationS
		}
	}
	var failedBefore []string
	for _, v := range order {
		m := byVersion[v]
		m.Status = migrationStatus(m)
		if m.Status != "not_run" && len(failedBefore) > 0 {
			m.AfterFailure = fmt.Sprintf("rehearsed with --keep-going after %s failed: on the state the failure left (its committed statements kept)", strings.Join(failedBefore, ", "))
		}
		if f.failedAt[v] > 0 {
			m.Partial = r.partial(f, m)
			failedBefore = append(failedBefore, v)
		}
		if f.rollbacks != nil {
			if rb, ok := f.rollbacks[v]; ok {
				for i := range m.Statements {
					m.Statements[i].Rollback = rb.Verdict
				}
			}
		}
		r.report.Migrations = append(r.report.Migrations, *m)
	}
	// The downs' statements, with their own metrics, in the rollback section.
	if r.report.Rollback != nil {
		for i := range r.report.Rollback.Migrations {
			rb := &r.report.Rollback.Migrations[i]
			for _, run := range f.runs {
				if run.dir == "down" && run.mig.Version == rb.Version {
					rb.Statements = append(rb.Statements, r.statement(run, prevEnd(f.runs, run), lr, mr, longTxnConns))
				}
			}
		}
	}
	r.appCompatResult(f, lr)
	r.replicationSummary()
	r.timeline(f, lr, mr)
	r.fillLoadOperations(lr)
}

func migrationStatus(m *result.Migration) string {
	status := "applied"
	ran := 0
	for _, s := range m.Statements {
		switch s.Status {
		case "failed":
			return "failed"
		case "ok":
			ran++
		}
	}
	if ran == 0 && len(m.Statements) > 0 {
		return "not_run"
	}
	return status
}

// statement computes one statement's figures.
func (r *rehearsal) statement(run *stmtRun, since time.Time, lr *load.Result, mr *locks.Result, longTxns map[int64]string) result.Statement {
	s := result.Statement{
		Index: run.index, Line: run.stmt.Line, SQL: strings.TrimSpace(run.stmt.Text), Status: "not_run",
	}
	if !run.run {
		return s
	}
	res := run.res
	s.Status = "ok"
	s.StartS = r.since(res.Start)
	s.DurationS = res.End.Sub(res.Start).Seconds()
	s.RowsAffected = res.RowsAffected
	if res.Err != nil {
		s.Status = "failed"
		s.Error = res.Err.Error()
		s.ErrorCode = res.Code
	}
	if isDDL(s.SQL) && res.Err == nil {
		s.Algorithm = usedAlgorithm(s.SQL, res.RowsAffected)
	}
	if mr != nil && (res.ConnID == commandConnID || res.ConnID == strategyConnID) {
		wait, writers, longest, total := windowLocks(mr, res.Start, res.End)
		s.LockWaitS, s.WritersBlocked, s.LongestStallS, s.BlockedSessionS = wait.Seconds(), writers, longest.Seconds(), total.Seconds()
		s.BlockedBy = windowBlockedBy(mr, res.Start, res.End, longTxns)
	} else if mr != nil {
		w := mr.DDLWait(res.ConnID, res.Start, res.End)
		s.LockWaitS = w.Total.Seconds()
		if len(w.Blockers) > 0 {
			s.BlockedBy = blockerText(w.Blockers[0], longTxns)
		}
		bs := mr.BlockedBySince(res.ConnID, since, res.Start, res.End)
		s.WritersBlocked = bs.Writers
		s.LongestStallS = bs.LongestStall.Seconds()
		s.BlockedSessionS = bs.Total.Seconds()
		s.DeepestQueue = bs.DeepestQueue
	}
	if lr != nil {
		w := window(r, lr.Window(res.Start, res.End))
		s.During = &w
		if r.report.Baseline != nil && r.report.Baseline.P99Ms > 0 && w.Ops > 0 {
			s.P99Ratio = w.P99Ms / r.report.Baseline.P99Ms
		}
	}
	r.fillResources(&s, run, lr)
	r.replicaFigures(&s, run, lr)
	if r.report.Strategy != nil && run.dir == "up" {
		r.strategyFigures(&s, run, lr, mr)
	}
	return s
}

// blockerText names a blocking session: an injected transaction by its
// spec, else its statement, else idle in a transaction.
func blockerText(b locks.Blocker, longTxns map[int64]string) string {
	if spec, ok := longTxns[b.ConnID]; ok {
		return fmt.Sprintf("session %d: injected %s", b.ConnID, spec)
	}
	if b.Statement != "" {
		return fmt.Sprintf("session %d: %s", b.ConnID, truncate(b.Statement, 120))
	}
	return fmt.Sprintf("session %d (idle in an open transaction)", b.ConnID)
}

// windowBlockedBy names what held up the writers of a window whose
// statements ran on connections rehearse does not know (a tool's, a
// --migrate-cmd's): the session the longest writer wait queued behind —
// the tool's CREATE TRIGGER, RENAME or chunk copy — or, when that session
// was itself waiting, the session it waited for (an open transaction, as
// for a native DDL), followed by the statement the writers queued behind.
// "" when no writer waited behind a named session.
func windowBlockedBy(mr *locks.Result, from, to time.Time, longTxns map[int64]string) string {
	var w *locks.Wait
	for i := range mr.Waits {
		x := &mr.Waits[i]
		if !x.Write() || x.End.Before(from) || x.Start.After(to) || len(x.Blockers) == 0 {
			continue
		}
		if w == nil || x.Duration() > w.Duration() {
			w = x
		}
	}
	if w == nil {
		return ""
	}
	b := mainBlocker(w.Blockers)
	for _, bw := range mr.Waits {
		if bw.ConnID != b.ConnID || len(bw.Blockers) == 0 || !bw.Start.Before(w.End) || !bw.End.After(w.Start) {
			continue
		}
		if root := mainBlocker(bw.Blockers); root.ConnID != w.ConnID {
			return blockerText(root, longTxns) + "; writers queued behind " + blockerText(b, longTxns) + ", which waited for it"
		}
	}
	return blockerText(b, longTxns)
}

// mainBlocker is the blocker seen in the most samples (a lock holder
// before a session queued ahead, on a tie).
func mainBlocker(bs []locks.Blocker) locks.Blocker {
	best := bs[0]
	for _, b := range bs[1:] {
		if b.Samples > best.Samples || b.Samples == best.Samples && b.Granted && !best.Granted {
			best = b
		}
	}
	return best
}

// prevEnd is when the statement run before this one ended (zero when
// none). A writer that queued behind that statement and was still waiting
// when this one started, then waited behind this one too, is the earlier
// statement's stall: statements run one after another, so a wait that began
// before this statement started was not caused by it.
func prevEnd(runs []*stmtRun, run *stmtRun) time.Time {
	var end time.Time
	if !run.run {
		return end
	}
	for _, o := range runs {
		if o == run || !o.run {
			continue
		}
		if e := o.res.End; !e.After(run.res.Start) && e.After(end) {
			end = e
		}
	}
	return end
}

// window converts a load window to the report's.
func window(r *rehearsal, w load.WindowStats) result.Window {
	st := w.Writes
	out := result.Window{
		StartS: r.since(w.From), EndS: r.since(w.To),
		Ops:        st.Ops,
		Throughput: st.Throughput,
		P50Ms:      ms(st.P50), P99Ms: ms(st.P99), MaxMs: ms(st.Max),
		Errors: st.Classes.Map(),
	}
	if len(out.Errors) == 0 {
		out.Errors = nil
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// partial describes the state a failed migration left.
func (r *rehearsal) partial(f *forward, m *result.Migration) *result.Partial {
	p := &result.Partial{FailedAt: f.failedAt[m.Version], DownRecovers: "not tried", KeptGoing: r.opts.KeepGoing}
	for _, s := range m.Statements {
		if s.Status == "ok" {
			p.Committed = append(p.Committed, s.Index)
		}
	}
	p.SchemaDiff = diffSchemas(f.before[m.Version], f.after[m.Version])
	if f.rollbacks != nil {
		if rb, ok := f.rollbacks[m.Version]; ok {
			switch rb.Verdict {
			case "restores", "data_lost":
				p.DownRecovers = "yes"
			default:
				p.DownRecovers = "no"
			}
			p.DownDetail = rb.Detail
		}
	}
	return p
}

// timeline fills the report's 100 ms buckets from the load's intervals, the
// monitor's waiter counts and the statement runs.
func (r *rehearsal) timeline(f *forward, lr *load.Result, mr *locks.Result) {
	if lr == nil {
		return
	}
	byBucket := map[int]*result.TimePoint{}
	bucket := func(t time.Time) int { return int(t.Sub(r.started) / TimelineStep) }
	get := func(i int) *result.TimePoint {
		p, ok := byBucket[i]
		if !ok {
			p = &result.TimePoint{T: float64(i) * TimelineStep.Seconds()}
			byBucket[i] = p
		}
		return p
	}
	for _, iv := range lr.Intervals {
		p := get(bucket(lr.Started.Add(iv.Start)))
		p.Throughput = iv.Writes.Throughput
		p.P50Ms = ms(iv.Writes.P50)
		p.P99Ms = ms(iv.Writes.P99)
		p.Errors = iv.Writes.Classes.Errors()
	}
	if mr != nil {
		for _, pt := range mr.Timeline(TimelineStep) {
			p := get(bucket(mr.Started.Add(pt.T)))
			p.Waiters = pt.Waiters
			p.Blocked = pt.Writers
		}
	}
	r.replicaTimeline(get, bucket)
	for _, run := range f.runs {
		if !run.run {
			continue
		}
		label := fmt.Sprintf("%s#%d", run.mig.Version, run.index)
		if run.dir != "up" {
			label = run.dir + " " + label
		}
		for i := bucket(run.res.Start); i <= bucket(run.res.End); i++ {
			get(i).Statement = label
		}
	}
	last := bucket(time.Now())
	for i := 0; i <= last; i++ {
		if p, ok := byBucket[i]; ok {
			r.report.Timeline = append(r.report.Timeline, *p)
		}
	}
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
