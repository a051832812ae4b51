package reproduce

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/scope"
)

// queue counts the sessions that waited for a metadata lock on the DDL's
// table behind it: writers and readers, the most at once, and the longest
// wait a capture showed (a lower bound: captures sample the wait).
func (a *analysis) queue(all []obs, ddl *obs) {
	q := &a.inc.Writers
	writers, readers := map[int64]bool{}, map[int64]bool{}
	perCapture := map[string]int{}
	for _, o := range all {
		if o.s.ID == ddl.s.ID || !strings.Contains(o.s.State, waitingMDL) || o.s.Info == "" {
			continue
		}
		p := parse(o.s.Info)
		var tables []string
		if p.ok {
			tables = a.tableNames(p.tables)
		} else if n := a.tableByName(o.s.Info); n != "" {
			tables = []string{n}
		}
		if !containsFold(tables, a.ddlTable) {
			continue
		}
		switch p.kind {
		case scope.KindWrite:
			writers[o.s.ID] = true
			if o.s.Time > q.LongestS {
				q.LongestS = o.s.Time
			}
		case scope.KindRead:
			readers[o.s.ID] = true
		default:
			continue
		}
		key := o.at.String()
		if o.at.IsZero() {
			key = o.file
		}
		perCapture[key]++
	}
	q.Writers, q.Readers = len(writers), len(readers)
	for _, n := range perCapture {
		if n > q.Peak {
			q.Peak = n
		}
	}
}

// timeline orders what the evidence shows, on the DDL's clock.
func (a *analysis) timeline(ddl *obs) {
	var ev []result.IncidentEvent
	add := func(t float64, src, format string, args ...any) {
		ev = append(ev, result.IncidentEvent{T: round3(t), What: fmt.Sprintf(format, args...), Source: src})
	}
	for _, b := range a.inc.Blockers {
		what := "idle in its transaction"
		if b.Statement != "" {
			what = clip(b.Statement, 60)
		}
		add(b.StartS, b.Note, "session %d opens its transaction on %s (%s)", b.Session, strings.Join(b.Tables, ", "), what)
		if b.EndKnown {
			add(b.EndS, "", "session %d's transaction ends (between two captures)", b.Session)
		}
	}
	if ddl != nil && a.inc.DDL != nil {
		d := a.inc.DDL
		add(0, ddl.file, "session %d starts %s and waits for its metadata lock", d.Session, clip(d.SQL, 60))
		if !d.Open {
			add(d.WaitS, "", "the DDL gets its lock after waiting %.1f s (%.1f–%.1f s)", d.WaitS, d.WaitLoS, d.WaitHiS)
		}
	}
	if !a.inc.T0.IsZero() {
		var times []time.Time
		for _, s := range a.ev.Samples {
			if !s.At.IsZero() {
				times = append(times, s.At)
			}
		}
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		if len(times) > 0 {
			add(a.rel(times[0]), "", "first capture")
			add(a.rel(times[len(times)-1]), "", "last capture (%d in all)", len(times))
		}
		for _, m := range a.inc.Migrations {
			if m.StartS != 0 {
				add(m.StartS, m.Source, "the deploy starts migration %s", m.Version)
			}
			if m.EndS != 0 {
				switch m.Status {
				case "failed":
					add(m.EndS, m.Source, "migration %s fails: %s", m.Version, clip(m.Error, 80))
				default:
					add(m.EndS, m.Source, "migration %s done", m.Version)
				}
			}
		}
	}
	if q := a.inc.Writers; q.Writers > 0 {
		add(0, "", "%d writers (and %d readers) queue behind it; at most %d at once in a capture; the longest a capture saw waited %.0f s", q.Writers, q.Readers, q.Peak, q.LongestS)
	}
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].T < ev[j].T })
	a.inc.Timeline = ev
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5*sign(f))) / 1000 }

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}
