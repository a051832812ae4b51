package reproduce

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/evidence"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/run"
)

// Options say what to reproduce. Run carries the rehearsal's own options
// (snapshot, migrations, engine, scale, seed, gates, ...) as `rehearse
// run` would use them; Prepare adds the evidence's injections, load and
// migrations.
type Options struct {
	Run run.Options
	// MigrationsFormat and MigrationsPattern read a split-migrations
	// fix's folder as the release's was read.
	MigrationsFormat  string
	MigrationsPattern string
	Evidence          *evidence.Evidence
	Fixes             []Fix
	// Pending are fixes asked for that this build cannot rehearse
	// (ErrPendingFix), listed in the report.
	Pending []string
	// Tolerance is how close the rehearsal's wait must be to the
	// incident's (0.10 = ±10%); the evidence's own resolution widens it.
	Tolerance float64
	// LoadRate overrides the rate the digests show; MaxLoadRate caps the
	// observed one (0: DefaultMaxLoadRate).
	LoadRate    float64
	MaxLoadRate float64
	// Commands re-run the reproduction (for the report).
	Commands []string
}

// Defaults.
var (
	DefaultTolerance   = 0.10
	DefaultMaxLoadRate = 500.0
	// MaxLead caps how long before the DDL the rehearsal opens the
	// blocker: what it did before the DDL started does not change the wait.
	MaxLead = 2 * time.Second
)

// Setup is a reproduction ready to rehearse: the incident read from the
// evidence and the rehearsal's options.
type Setup struct {
	opts      Options
	run       run.Options
	Incident  *result.Incident
	Derived   *Derived
	Problems  []string // the evidence's and the analysis's, line by line
	Notes     []string
	Injection string
	loadWhy   string
}

// Prepare reads the incident out of the evidence and builds the
// rehearsal's options. It starts no server.
func Prepare(ctx context.Context, o Options) (*Setup, error) {
	if o.Evidence == nil || o.Run.Snapshot == nil || o.Run.Migrations == nil {
		return nil, fmt.Errorf("reproduce: evidence, snapshot and migrations are required")
	}
	if o.Tolerance <= 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.MaxLoadRate <= 0 {
		o.MaxLoadRate = DefaultMaxLoadRate
	}
	s := &Setup{opts: o, run: o.Run}
	for _, p := range o.Evidence.Problems {
		s.Problems = append(s.Problems, p.String())
	}
	schema := o.Run.Database
	if schema == "" {
		schema = migrationSchema(o.Run)
	}
	if err := s.deployedMigrations(); err != nil {
		return nil, err
	}
	pending := migrations.Pending(s.run.Migrations, s.run.Snapshot)
	inc, problems, d := Analyze(o.Evidence, o.Run.Snapshot, schema, pending)
	s.Incident, s.Derived = inc, d
	s.Problems = append(s.Problems, problems...)
	s.Notes = append(s.Notes, d.Notes...)
	s.load()
	if d.Table != "" && inc.DDL != nil {
		in, err := s.injection()
		if err != nil {
			return nil, err
		}
		s.run.Injections = append(s.run.Injections, in)
		s.Injection = in.Spec
		for i := range inc.Blockers {
			inc.Blockers[i].Injection = in.Spec
		}
	}
	return s, nil
}

// migrationSchema is the snapshot's migration database (the history's, or
// the only one).
func migrationSchema(o run.Options) string {
	snap := o.Snapshot
	if len(snap.History) > 0 && snap.History[0].Schema != "" {
		return snap.History[0].Schema
	}
	if len(snap.Schemas) == 1 {
		return snap.Schemas[0].Name
	}
	return ""
}

// deployedMigrations keeps, of the pending migrations, those the deploy
// log says ran (all of them when there is no deploy log). A migration the
// log names and the folder lacks, or that the snapshot already records, is
// a problem.
func (s *Setup) deployedMigrations() error {
	runs := deployRuns(s.opts.Evidence.Deploy)
	if len(runs) == 0 {
		return nil
	}
	set := *s.run.Migrations
	pending := migrations.Pending(&set, s.run.Snapshot)
	ran := map[string]bool{}
	for _, r := range runs {
		found := false
		for _, m := range set.Migrations {
			if sameVersion(&m, r.version) {
				found = true
				ran[m.Version] = true
			}
		}
		if !found {
			s.Problems = append(s.Problems, fmt.Sprintf("%s: the deploy ran %s, which %s does not hold: not rehearsed", r.source, r.version, s.run.MigrationsDir))
			continue
		}
		isPending := false
		for _, p := range pending {
			if sameVersion(p, r.version) {
				isPending = true
			}
		}
		if !isPending {
			s.Problems = append(s.Problems, fmt.Sprintf("%s: the deploy ran %s, which the snapshot's history already records (a snapshot taken after the deploy?): not rehearsed; take the snapshot from before the incident", r.source, r.version))
		}
	}
	var keep []migrations.Migration
	var dropped []string
	for _, m := range set.Migrations {
		isPending := false
		for _, p := range pending {
			if p.Version == m.Version {
				isPending = true
			}
		}
		if isPending && !ran[m.Version] {
			dropped = append(dropped, m.Version)
			continue
		}
		keep = append(keep, m)
	}
	if len(dropped) > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("pending migrations the deploy log does not show running are left out: %s", strings.Join(dropped, ", ")))
	}
	set.Migrations = keep
	s.run.Migrations = &set
	return nil
}

// load sets the application's load: the evidence's digests (else the
// snapshot's) at their observed rate, capped; else the default mix.
func (s *Setup) load() {
	o := s.opts
	snap := s.run.Snapshot
	if len(o.Evidence.Digests) > 0 {
		cp := *snap
		cp.Digests = o.Evidence.Digests
		s.run.Snapshot = &cp
		snap = &cp
		s.loadWhy = fmt.Sprintf("the evidence's %d digests", len(o.Evidence.Digests))
	} else if len(snap.Digests) > 0 {
		s.loadWhy = fmt.Sprintf("the snapshot's %d digests (the evidence has no digest export)", len(snap.Digests))
	}
	switch {
	case o.LoadRate > 0:
		s.run.LoadRate = o.LoadRate
		s.loadWhy += fmt.Sprintf("; rate %.0f ops/s as given", o.LoadRate)
	case len(snap.Digests) > 0:
		p, skipped, err := load.ProfileFromDigests(snap, load.DigestOptions{Scale: 1})
		if len(o.Evidence.Digests) > 0 {
			// Nothing dropped silently: the export's row statements the
			// load cannot run, each with why; the others (the deploy's
			// DDL, SET, SHOW, COMMIT, ...) counted.
			other := 0
			for _, sk := range skipped {
				verb, _, _ := strings.Cut(strings.TrimSpace(sk.Text), " ")
				switch strings.ToUpper(verb) {
				case "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH":
					s.Problems = append(s.Problems, fmt.Sprintf("digest %s (%s): not in the load: %s", sk.Digest, clip(sk.Text, 80), sk.Reason))
				default:
					other++
				}
			}
			if other > 0 {
				s.Problems = append(s.Problems, fmt.Sprintf("%d digests of other statements (DDL, SET, SHOW, COMMIT, ...): not application load, not replayed", other))
			}
		}
		switch {
		case err != nil:
			s.Notes = append(s.Notes, "the digests give no load the rehearsal can run ("+err.Error()+"): the default mix instead")
			s.loadWhy = "the default mix (the digests map to no statement shape)"
		case p.Rate <= 0:
			s.loadWhy += "; no first/last-seen times, so the default rate"
		case p.Rate > o.MaxLoadRate:
			s.run.LoadRate = o.MaxLoadRate
			s.loadWhy += fmt.Sprintf("; observed %.0f ops/s, capped at %.0f (--load to change)", p.Rate, o.MaxLoadRate)
		default:
			s.run.LoadRate = math.Max(p.Rate, 1)
			s.loadWhy += fmt.Sprintf("; their observed rate, %.1f ops/s", p.Rate)
		}
	default:
		s.loadWhy = "the default mix (no digests in the evidence or the snapshot)"
	}
}

// injection stands the incident's blocker in: a transaction holding the
// DDL's table, opened the blocker's lead before the DDL (at most MaxLead),
// and held for the DDL's observed wait after it.
func (s *Setup) injection() (run.Injection, error) {
	d := s.Derived
	lead := d.Lead
	if lead <= 0 {
		lead = 200 * time.Millisecond
	}
	if lead > MaxLead {
		s.Notes = append(s.Notes, fmt.Sprintf("the blocker was open %.1f s before the DDL; the rehearsal opens it %s before (what it did earlier does not change the wait)", lead.Seconds(), MaxLead))
		lead = MaxLead
	}
	wait := d.Wait
	if wait <= 0 {
		return run.Injection{}, rehearse.WithHint(fmt.Errorf("the evidence shows the DDL on %s waiting, but not for how long", d.Table), "add a capture with the processlist's Time column, or the deploy log")
	}
	if d.Open {
		s.Notes = append(s.Notes, fmt.Sprintf("the incident's DDL was still waiting at the last capture: the rehearsal holds the blocker for the %.1f s the evidence shows, a lower bound", wait.Seconds()))
	}
	total := (lead + wait).Round(time.Millisecond)
	spec := fmt.Sprintf("long-txn=%s:%s", d.Table, total)
	if d.Migration != "" {
		spec += "@" + d.Migration
		if d.Statement > 1 {
			spec += fmt.Sprintf("#%d", d.Statement)
		}
	}
	spec += ",lead=" + lead.Round(time.Millisecond).String()
	return run.ParseInjection(spec)
}

// retarget moves an injection to a split release: before the statement
// that is the incident's DDL, else before the first statement on its
// table.
func (s *Setup) retarget(in run.Injection, pending []*migrations.Migration) (run.Injection, string) {
	want := ""
	if s.Incident.DDL != nil {
		want = normalize(s.Incident.DDL.SQL)
	}
	target := func(v string, n int, why string) (run.Injection, string) {
		spec := fmt.Sprintf("long-txn=%s:%s@%s", in.Table, in.Duration, v)
		if n > 1 {
			spec += fmt.Sprintf("#%d", n)
		}
		if in.Lead > 0 {
			spec += ",lead=" + in.Lead.String()
		}
		moved, err := run.ParseInjection(spec)
		if err != nil {
			return in, "as in the incident"
		}
		return moved, fmt.Sprintf("before %s#%d (%s)", v, n, why)
	}
	for _, m := range pending {
		for i, st := range m.Up.Statements {
			if normalize(st.Text) == want {
				return target(m.Version, i+1, "the incident's statement")
			}
		}
	}
	for _, m := range pending {
		for i, st := range m.Up.Statements {
			p := parse(st.Text)
			if p.ok && containsFold(tableList(p), in.Table) {
				return target(m.Version, i+1, "the first statement on "+in.Table)
			}
		}
	}
	return in, "as in the incident (no statement of the split release touches " + in.Table + ")"
}

func tableList(p parsedStmt) []string {
	var out []string
	for _, t := range p.tables {
		out = append(out, t.Name)
	}
	return out
}

// RunOptions are the incident rehearsal's options (with the injections).
func (s *Setup) RunOptions() run.Options { return s.run }

// LoadSource says why the load is what it is.
func (s *Setup) LoadSource() string { return s.loadWhy }

// Fixes are the fixes the reproduction rehearses, in order.
func (s *Setup) Fixes() []Fix { return s.opts.Fixes }

// MigrationsPattern is the --migrations-pattern the release was read with
// ("" for a format's own names).
func (s *Setup) MigrationsPattern() string { return s.opts.MigrationsPattern }
