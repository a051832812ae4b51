package reproduce

import (
	"fmt"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/evidence"
	"github.com/rehearse/rehearse/rehearse/result"
)

// deployRun is one migration of the deploy log, in absolute time.
type deployRun struct {
	version, name string
	start, end    time.Time
	dur           time.Duration
	status        string
	err           string
	source        string
}

// deployRuns groups the deploy log's events by migration, in log order. A
// failure line without a version (golang-migrate's "error: migration
// failed ...") belongs to the migration that started last.
func deployRuns(evs []evidence.DeployEvent) []*deployRun {
	var out []*deployRun
	byVersion := map[string]*deployRun{}
	var last *deployRun
	get := func(v, name string, e evidence.DeployEvent) *deployRun {
		if r, ok := byVersion[v]; ok {
			return r
		}
		r := &deployRun{version: v, name: name, status: "started", source: fmt.Sprintf("%s:%d", e.File, e.Line)}
		byVersion[v] = r
		out = append(out, r)
		return r
	}
	for _, e := range evs {
		switch e.Event {
		case evidence.EventSummary:
			continue
		case evidence.EventFail:
			v := e.Version
			if v == "" && last != nil {
				v = last.version
			}
			if v == "" {
				continue
			}
			r := get(v, e.Name, e)
			r.status, r.err = "failed", e.Error
			if !e.At.IsZero() {
				r.end = e.At
			}
			last = r
		case evidence.EventStart:
			r := get(e.Version, e.Name, e)
			if !e.At.IsZero() && r.start.IsZero() {
				r.start = e.At
			}
			last = r
		case evidence.EventDone:
			r := get(e.Version, e.Name, e)
			r.status, r.dur = "applied", e.Duration
			if !e.At.IsZero() {
				r.end = e.At
				if r.start.IsZero() && e.Duration > 0 {
					r.start = e.At.Add(-e.Duration)
				}
			}
			last = r
		}
	}
	return out
}

// deployMigrations fills the incident's migrations from the deploy log
// (times relative to T0 are set later, once T0 is known).
func (a *analysis) deployMigrations() {
	for _, r := range deployRuns(a.ev.Deploy) {
		m := result.IncidentMigration{Version: r.version, Name: r.name, Status: r.status, Error: r.err, Source: r.source}
		if r.dur > 0 {
			m.DurationS = r.dur.Seconds()
		} else if !r.start.IsZero() && !r.end.IsZero() {
			m.DurationS = r.end.Sub(r.start).Seconds()
		}
		a.inc.Migrations = append(a.inc.Migrations, m)
	}
}

// deployEnd is when the DDL's migration ended by the deploy log (zero when
// the log does not say), and the line that says so.
func (a *analysis) deployEnd() (time.Time, string) {
	if a.inc.DDL == nil {
		return time.Time{}, ""
	}
	for _, r := range deployRuns(a.ev.Deploy) {
		if r.end.IsZero() {
			continue
		}
		// The migration running when the DDL was waiting: started before
		// the DDL's start (within the start's range), ended after it.
		if (r.start.IsZero() || !r.start.After(a.startHi.Add(time.Second))) && r.end.After(a.startLo) {
			for _, p := range a.pending {
				if sameVersion(p, r.version) {
					return r.end, fmt.Sprintf("the deploy log's end of %s (%s)", r.version, r.source)
				}
			}
		}
	}
	return time.Time{}, ""
}

// relativeMigrations places the deploy's migrations on the incident's
// clock (seconds from T0).
func (a *analysis) relativeMigrations() {
	if a.inc.T0.IsZero() {
		return
	}
	runs := deployRuns(a.ev.Deploy)
	for i := range a.inc.Migrations {
		m := &a.inc.Migrations[i]
		for _, r := range runs {
			if r.version != m.Version {
				continue
			}
			if !r.start.IsZero() {
				m.StartS = r.start.Sub(a.inc.T0).Seconds()
			}
			if !r.end.IsZero() {
				m.EndS = r.end.Sub(a.inc.T0).Seconds()
			}
		}
		if m.Status == "failed" && strings.Contains(m.Error, "1205") && a.inc.DDL != nil && sameVersionStr(m.Version, a.inc.DDL.Migration) {
			a.inc.DDL.Outcome = "gave up: lock wait timeout (1205), by the deploy log"
		}
	}
}

func sameVersionStr(a, b string) bool {
	return strings.TrimLeft(a, "0") == strings.TrimLeft(b, "0") && a != ""
}
