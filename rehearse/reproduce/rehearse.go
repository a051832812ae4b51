package reproduce

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/run"
)

// Verdicts of a reproduction.
const (
	Reproduced    = "reproduced"
	NotReproduced = "not_reproduced"
)

// Reproduce rehearses the incident, then each fix on the same evidence,
// and compares. The error is for a rehearsal that could not run at all;
// the document is returned whenever there is something to say.
func (s *Setup) Reproduce(ctx context.Context) (*result.Reproduction, error) {
	o := s.opts
	rep := &result.Reproduction{
		Format: result.ReproductionFormatV1, Tool: o.Run.Tool, StartedAt: time.Now().UTC(),
		Verdict: result.Error, Incident: *s.Incident, Commands: o.Commands, Pending: o.Pending,
		Inputs: result.ReproInputs{Snapshot: o.Run.SnapshotPath, Migrations: o.Run.MigrationsDir, Evidence: o.Evidence.Dir,
			Scale: s.run.Scale, LoadRate: s.run.LoadRate, LoadSource: s.loadWhy},
	}
	rep.Tolerance = fmt.Sprintf("±%.0f%% of the incident's figure, or the evidence's own resolution (±%.2f s) when larger", o.Tolerance*100, s.Derived.Res.Seconds())
	rep.Evidence = s.evidenceSummary()
	rep.Notes = append(rep.Notes, s.Notes...)
	defer func() {
		rep.Notes = append(rep.Notes, cacheNote(s.run, rep.Runs))
		rep.FinishedAt = time.Now().UTC()
	}()

	incRun, err := s.rehearse(ctx, "incident", "", nil, s.run)
	rep.Runs = append(rep.Runs, incRun)
	if err != nil {
		rep.Reason = "the rehearsal of the incident could not run: " + err.Error()
		rep.Errors = append(rep.Errors, result.ErrorEntry{Phase: "incident", Message: err.Error()})
		return rep, err
	}
	if incRun.Report != nil {
		rep.Inputs.LoadRate = incRun.Report.Inputs.LoadRate
	}
	rep.Checks = s.compare(incRun.Figures)
	rep.Verdict, rep.Reason = verdict(rep.Checks, s.Incident)
	for _, f := range o.Fixes {
		ro := s.run
		ro.Injections = append([]run.Injection(nil), s.run.Injections...)
		changes, err := f.Apply(ctx, &ro, s)
		if err != nil {
			rep.Errors = append(rep.Errors, result.ErrorEntry{Phase: "fix " + f.Spec, Message: err.Error()})
			continue
		}
		fr, err := s.rehearse(ctx, "fix "+f.Spec, f.Spec, changes, ro)
		rep.Runs = append(rep.Runs, fr)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return rep, err
			}
			rep.Errors = append(rep.Errors, result.ErrorEntry{Phase: "fix " + f.Spec, Message: err.Error()})
		}
	}
	return rep, nil
}

// rehearse runs one rehearsal and reads the incident's statement in it.
func (s *Setup) rehearse(ctx context.Context, name, fix string, changes []string, o run.Options) (result.ReproRun, error) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, "reproduce: rehearsing %s\n", name)
	}
	r, err := run.Run(ctx, o)
	out := result.ReproRun{Name: name, Fix: fix, Changes: changes, Report: r}
	if r != nil {
		out.Figures = s.figures(r)
		out.Timeline = runTimeline(r, out.Figures)
	}
	return out, err
}

// figures reads the incident's DDL in a rehearsal's report: the statement
// the evidence matched, else the one that waited longest.
func (s *Setup) figures(r *result.Report) result.ReproFigures {
	f := result.ReproFigures{Verdict: r.Verdict}
	want, n := s.Derived.Migration, s.Derived.Statement
	if n == 0 {
		n = 1
	}
	var best *result.Statement
	var bestV string
	for i := range r.Migrations {
		m := &r.Migrations[i]
		for j := range m.Statements {
			st := &m.Statements[j]
			if want != "" && sameVersionStr(m.Version, want) && st.Index == n {
				best, bestV = st, m.Version
			}
			if want == "" && st.Status != "not_run" && (best == nil || st.LockWaitS > best.LockWaitS) {
				best, bestV = st, m.Version
			}
		}
	}
	// A split release has other versions: the statement on the table
	// that waited longest.
	if best == nil {
		for i := range r.Migrations {
			m := &r.Migrations[i]
			for j := range m.Statements {
				st := &m.Statements[j]
				if st.Status != "not_run" && (best == nil || st.LockWaitS > best.LockWaitS) {
					best, bestV = st, m.Version
				}
			}
		}
	}
	if best == nil {
		return f
	}
	f.Found = best.Status != "not_run"
	f.Statement = fmt.Sprintf("%s#%d", bestV, best.Index)
	f.LockWaitS, f.DurationS, f.ErrorCode = best.LockWaitS, best.DurationS, best.ErrorCode
	f.BlockedBy, f.WritersBlocked, f.LongestStallS, f.DeepestQueue = best.BlockedBy, best.WritersBlocked, best.LongestStallS, best.DeepestQueue
	if best.Strategy != "" {
		f.Strategy, f.CutOverStallS = best.Strategy, best.CutOverStallS
	}
	return f
}

// compare holds the rehearsal against the incident.
func (s *Setup) compare(f result.ReproFigures) []result.ReproCheck {
	inc := s.Incident
	d := inc.DDL
	var out []result.ReproCheck
	if d == nil {
		return append(out, result.ReproCheck{Name: "a DDL waited for its metadata lock", Incident: "none in the evidence", Rehearsal: fmt.Sprintf("%.2f s", f.LockWaitS), Why: "the evidence shows no pile-up"})
	}
	if !f.Found {
		return append(out, result.ReproCheck{Name: "the incident's statement ran", Incident: d.SQL, Rehearsal: "not run", Why: "the rehearsal did not reach " + s.Derived.Migration + " (an earlier migration failed?)"})
	}
	pct := s.opts.Tolerance
	res := s.Derived.Res.Seconds()
	// 1. The same blocker.
	blk := result.ReproCheck{Name: "the DDL waited behind the incident's blocker", Incident: blockerText(inc), Rehearsal: f.BlockedBy}
	blk.Passed = s.Injection != "" && strings.Contains(f.BlockedBy, s.Injection)
	if !blk.Passed {
		blk.Why = "the rehearsal's DDL was not blocked by the injected stand-in (" + s.Injection + ")"
		if f.LockWaitS < 0.05 {
			blk.Why = "the rehearsal's DDL did not wait: the stand-in had ended, or held another table"
		}
	}
	out = append(out, blk)
	// 2. The wait.
	tol := math.Max(pct*d.WaitS, res)
	w := result.ReproCheck{Name: "the DDL's metadata-lock wait", Rehearsal: fmt.Sprintf("%.2f s", f.LockWaitS)}
	if d.Open {
		w.Incident = fmt.Sprintf("≥ %.2f s (still waiting at the last capture)", d.WaitS)
		w.Passed = f.LockWaitS >= d.WaitS-tol
	} else {
		w.Incident = fmt.Sprintf("%.2f s (%.2f–%.2f s), tolerance ±%.2f s", d.WaitS, d.WaitLoS, d.WaitHiS, tol)
		w.Passed = math.Abs(f.LockWaitS-d.WaitS) <= tol
	}
	if !w.Passed {
		w.Why = fmt.Sprintf("%.2f s off the incident's %.2f s (tolerance ±%.2f s)", f.LockWaitS-d.WaitS, d.WaitS, tol)
		if f.ErrorCode == 1205 {
			w.Why += fmt.Sprintf("; the rehearsal's DDL gave up (1205) after its lock_wait_timeout %s", lwt(s.run.LockWaitTimeout))
		}
	}
	out = append(out, w)
	// 3. Writers queued, for about as long.
	q := inc.Writers
	if q.Writers > 0 {
		c := result.ReproCheck{Name: "writers queued behind the DDL", Incident: fmt.Sprintf("%d writers seen waiting, at most %d sessions at once", q.Writers, q.Peak),
			Rehearsal: fmt.Sprintf("%d writers blocked, at most %d at once", f.WritersBlocked, f.DeepestQueue), Passed: f.WritersBlocked > 0}
		if !c.Passed {
			c.Why = "no writer of the rehearsal's load queued: does the load write to " + d.Table + "? (the report's load section lists its statements)"
		}
		out = append(out, c)
		l := result.ReproCheck{Name: "writers waited about as long", Incident: fmt.Sprintf("≥ %.0f s (the longest wait a capture saw)", q.LongestS),
			Rehearsal: fmt.Sprintf("longest stall %.2f s", f.LongestStallS)}
		l.Passed = f.LongestStallS >= q.LongestS*(1-pct)-math.Max(res, 1)
		if !l.Passed {
			l.Why = fmt.Sprintf("the rehearsal's writers waited %.2f s at most, the incident's at least %.0f s", f.LongestStallS, q.LongestS)
		}
		out = append(out, l)
	}
	// 4. The outcome, when the deploy log says the DDL gave up.
	if strings.Contains(d.Outcome, "1205") {
		c := result.ReproCheck{Name: "the DDL gave up with 1205", Incident: d.Outcome, Rehearsal: fmt.Sprintf("error %d", f.ErrorCode), Passed: f.ErrorCode == 1205}
		if !c.Passed {
			c.Why = "the rehearsal's lock_wait_timeout (" + lwt(s.run.LockWaitTimeout) + ") is not production's: set it with --lock-wait-timeout"
		}
		out = append(out, c)
	}
	return out
}

func blockerText(inc *result.Incident) string {
	if len(inc.Blockers) == 0 {
		return "not identified in the evidence"
	}
	b := inc.Blockers[0]
	what := "idle in its transaction"
	if b.Statement != "" {
		what = clip(b.Statement, 60)
	}
	return fmt.Sprintf("session %d on %s (%s; tables from %s)", b.Session, strings.Join(b.Tables, ", "), what, b.TablesFrom)
}

// verdict is reproduced when every check held.
func verdict(checks []result.ReproCheck, inc *result.Incident) (string, string) {
	var failed []string
	for _, c := range checks {
		if !c.Passed {
			failed = append(failed, c.Name+": "+c.Why)
		}
	}
	if len(failed) == 0 && inc.DDL != nil {
		return Reproduced, fmt.Sprintf("the DDL waited %s behind the incident's blocker and the writers queued as in the evidence", checks[1].Rehearsal)
	}
	if len(failed) == 0 {
		failed = append(failed, "the evidence shows no DDL waiting for a metadata lock")
	}
	return NotReproduced, strings.Join(failed, "; ")
}

func (s *Setup) evidenceSummary() result.EvidenceSummary {
	ev := s.opts.Evidence
	sum := result.EvidenceSummary{Dir: ev.Dir, Problems: s.Problems, Zone: ev.Zone.String() + " (" + ev.ZoneSource + ")", Captures: len(ev.Samples)}
	for _, f := range ev.Files {
		sum.Files = append(sum.Files, result.EvidenceFile{Name: f.Name, Kind: f.Kind, Form: f.Form, Items: f.Samples})
	}
	var times []time.Time
	for _, smp := range ev.Samples {
		if !smp.At.IsZero() {
			times = append(times, smp.At)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	if len(times) > 0 {
		sum.Window = [2]time.Time{times[0], times[len(times)-1]}
	}
	return sum
}

// runTimeline is a rehearsal's story on the incident's clock: seconds
// from its DDL's start.
func runTimeline(r *result.Report, f result.ReproFigures) []result.IncidentEvent {
	if !f.Found {
		return nil
	}
	var t0 float64
	for _, m := range r.Migrations {
		for _, st := range m.Statements {
			if fmt.Sprintf("%s#%d", m.Version, st.Index) == f.Statement {
				t0 = st.StartS
			}
		}
	}
	var ev []result.IncidentEvent
	for _, in := range r.Injections {
		if in.Kind != "long-txn" {
			continue
		}
		ev = append(ev, result.IncidentEvent{T: round3(in.StartS - t0), What: "the stand-in transaction opens (" + in.Spec + ")"})
		ev = append(ev, result.IncidentEvent{T: round3(in.EndS - t0), What: "the stand-in transaction ends"})
	}
	ev = append(ev, result.IncidentEvent{T: 0, What: f.Statement + " starts and waits for its metadata lock"})
	if f.ErrorCode == 1205 {
		ev = append(ev, result.IncidentEvent{T: round3(f.DurationS), What: fmt.Sprintf("it gives up after %.2f s (1205): the writers behind it go on", f.LockWaitS)})
	} else if f.ErrorCode == 0 {
		ev = append(ev, result.IncidentEvent{T: round3(f.LockWaitS), What: fmt.Sprintf("it gets its lock after %.2f s", f.LockWaitS)})
		ev = append(ev, result.IncidentEvent{T: round3(f.DurationS), What: "it ends"})
	}
	if f.WritersBlocked > 0 {
		ev = append(ev, result.IncidentEvent{T: 0, What: fmt.Sprintf("%d writers queue behind it, at most %d at once; the longest stalls %.2f s", f.WritersBlocked, f.DeepestQueue, f.LongestStallS)})
	}
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].T < ev[j].T })
	return ev
}

// cacheNote says where each rehearsal's data came from: the same filled
// datadir (the data cache) or generated anew.
func cacheNote(o run.Options, runs []result.ReproRun) string {
	if o.DataCache == nil {
		return "every rehearsal restored and generated its data (no data cache: --no-cache, or the dsn engine)"
	}
	var cached []string
	for _, r := range runs {
		if r.Report == nil {
			continue
		}
		for _, p := range r.Report.Phases {
			if p.Status == "cached" && p.Name == "generate" {
				cached = append(cached, r.Name)
			}
		}
	}
	if len(cached) == 0 {
		return "no rehearsal found its data in the data cache: each restored and generated it (the first one keeps it for the next reproduction)"
	}
	return fmt.Sprintf("%d of %d rehearsals started on a copy of one filled datadir from the data cache (%s): the incident and its fixes ran on the same rows", len(cached), len(runs), strings.Join(cached, ", "))
}
