package run

import (
	"context"
	"strings"

	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/plan/rules"
	"github.com/rehearse/rehearse/rehearse/result"
)

// planRelease reads the release statically (no server): the pending set in
// the runner's order, drift against the snapshot's history, what each
// statement does and the predicted algorithm, and the plan's rules. The
// rehearsal then measures what the plan predicted.
func (r *rehearsal) planRelease(ctx context.Context, schema string) ([]*migrations.Migration, *plan.Plan, error) {
	o := r.opts
	if o.Migrations == nil {
		return nil, nil, nil
	}
	p, err := plan.Build(ctx, plan.Options{
		Snapshot: o.Snapshot, SnapshotFile: o.SnapshotPath, Migrations: o.Migrations,
		Schema: schema, Tool: o.Tool, Config: o.PlanConfig, Rules: rules.All(), FirstAdoption: o.FirstAdoption,
	})
	if err != nil {
		return nil, nil, err
	}
	var pending []*migrations.Migration
	for _, pm := range p.Pending {
		if m := o.Migrations.Find(pm.Key); m != nil {
			pending = append(pending, m)
		}
	}
	for _, f := range p.Findings {
		r.report.Findings = append(r.report.Findings, result.Finding{
			Code: f.Code, Severity: string(f.Severity), Migration: f.Migration,
			Message: f.Title + ": " + f.Message + plan.PlacesText(f), Fix: f.Recommendation, DocsURL: f.Docs,
		})
	}
	return pending, p, nil
}

// annotate copies the plan's view of each statement (operation, table and
// size, the rule table's predicted algorithm) and the server's verified
// answer (probes, by version: see probeAlgorithms) into the report's
// statements, and names the algorithm the run used as precisely as the
// server lets us know it.
func annotate(rep *result.Report, p *plan.Plan, probes map[string][]plan.Probe) {
	if p == nil {
		return
	}
	byVersion := map[string]*plan.PendingMigration{}
	for i := range p.Pending {
		byVersion[p.Pending[i].Version] = &p.Pending[i]
	}
	for mi := range rep.Migrations {
		version := rep.Migrations[mi].Version
		pm := byVersion[version]
		if pm == nil {
			continue
		}
		for si := range rep.Migrations[mi].Statements {
			s := &rep.Migrations[mi].Statements[si]
			if s.Index-1 >= len(pm.Statements) {
				continue
			}
			sp := &pm.Statements[s.Index-1]
			ops := sp.Ops
			if len(ops) == 0 {
				for _, in := range sp.Inner {
					ops = append(ops, in.Ops...)
				}
			}
			var classes []string
			for _, op := range ops {
				classes = append(classes, op.Class)
			}
			s.Operation = strings.Join(classes, ",")
			if sp.Table != nil {
				s.Table, s.TableRows = sp.Table.Name, sp.Table.Rows
			}
			if a := sp.Predicted; a != nil {
				s.PredictedAlg, s.PredictedLock = a.Algorithm, a.Lock
			}
			if ps := probes[version]; s.Index-1 < len(ps) {
				verifyStatement(s, &ps[s.Index-1])
				// An EXECUTE the probe saw run an ALTER (on the empty
				// copy, the same migration before it): it ran that ALTER
				// here too, and reports the rows it copied as one does.
				if v := ps[s.Index-1].Verified; s.Algorithm == "" && s.Status == "ok" && v != nil && v.Algorithm != "" && executeRe.MatchString(s.SQL) {
					s.Algorithm = usedAlgorithm("ALTER TABLE", s.RowsAffected)
				}
			}
			// The server does not say which of INSTANT, NOCOPY and
			// INPLACE it used (all copy no row); when it copied nothing
			// and the server (else the plan) expected no copy, that
			// answer is the one that ran.
			if s.Algorithm == "INPLACE/INSTANT" {
				switch {
				case s.VerifiedAlg != "":
					if s.VerifiedAlg != plan.Copy {
						s.Algorithm = s.VerifiedAlg
					}
				case s.PredictedAlg != "" && s.PredictedAlg != plan.Copy:
					s.Algorithm = s.PredictedAlg
				}
			}
		}
	}
}
