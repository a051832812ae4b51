package capacity

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// Input is what Analyze fits: rehearsals of the same release at several
// scales, and what is known about production.
type Input struct {
	Reports  []*result.Report // one per scale (any order)
	Plan     *plan.Plan       // the release's plan (operation classes, algorithms); nil = fit only
	Snapshot *snapshot.Snapshot
	// TargetScale is the scale to predict (1 = production's row counts).
	TargetScale float64
	// ProdFreeDisk is the free disk on production's data volume (bytes; 0 =
	// unknown: no COPY is then called safe).
	ProdFreeDisk int64
	// DeployTimeout is how long the deploy lets a migration run (0 = none).
	DeployTimeout time.Duration
	// ProdWriteRate is production's load in ops/s (0 = the rehearsals' own
	// rate is production's).
	ProdWriteRate float64
	// Settings override the snapshot's server settings (the engine's
	// --set values the rehearsals ran with), e.g. a smaller
	// innodb_online_alter_log_max_size.
	Settings map[string]string
	// TargetPool is the buffer pool at the target scale (bytes; 0 = the
	// rehearsals' own, unscaled).
	TargetPool int64
	// Overrides are rehearse.yaml's finding severities (nil: the defaults).
	Overrides *codes.Overrides
}

// analysis is one Analyze call's state.
type analysis struct {
	in       Input
	loadRate float64
	prodRate float64                    // production's ops/s the predictions assume
	settings map[string]string          // the snapshot's, overlaid by Input.Settings
	tables   map[string]*snapshot.Table // "schema.table" and "table", lower case
}

// Analyze fits every statement's measurements against its table's rows and
// predicts them at the target scale, with findings a DBA acts on. It never
// fails: what cannot be predicted carries a note saying why.
func Analyze(in Input) *result.Capacity {
	a := &analysis{in: in, tables: map[string]*snapshot.Table{}, settings: map[string]string{}}
	if in.Snapshot != nil {
		for k, v := range in.Snapshot.Settings {
			a.settings[k] = v
		}
	}
	for k, v := range in.Settings {
		a.settings[k] = v
	}
	if in.Snapshot != nil {
		for _, sc := range in.Snapshot.Schemas {
			for i := range sc.Tables {
				t := &sc.Tables[i]
				a.tables[strings.ToLower(sc.Name+"."+t.Name)] = t
				a.tables[strings.ToLower(t.Name)] = t
			}
		}
	}
	c := &result.Capacity{TargetScale: in.TargetScale, ProdFreeDisk: in.ProdFreeDisk,
		DeployTimeout: in.DeployTimeout.Seconds(), ProdWriteRate: in.ProdWriteRate}
	scales := map[float64]bool{}
	for _, r := range in.Reports {
		scales[r.Inputs.Scale] = true
		a.loadRate = max(a.loadRate, r.Inputs.LoadRate)
	}
	for s := range scales {
		c.Scales = append(c.Scales, s)
	}
	sort.Float64s(c.Scales)
	c.LoadRate = a.loadRate
	if c.ProdWriteRate == 0 {
		c.ProdWriteRate = a.loadRate
	}
	a.prodRate = c.ProdWriteRate
	if len(c.Scales) < MinPoints {
		c.Notes = append(c.Notes, fmt.Sprintf("measured at %d scale(s); a prediction needs %d distinct row counts: the measurements are reported without a prediction", len(c.Scales), MinPoints))
	}
	for _, s := range collect(in.Reports, in.Plan) {
		xt := a.targetRows(s)
		cs := predictStatement(s, xt, in.TargetScale, a)
		c.TargetRows = max(c.TargetRows, xt)
		c.Statements = append(c.Statements, cs)
		c.Findings = append(c.Findings, a.findings(s, &cs)...)
	}
	c.Findings = append(c.Findings, a.totalFindings(c)...)
	c.Findings = result.Configure(c.Findings, in.Overrides)
	sort.SliceStable(c.Findings, func(i, j int) bool {
		return codes.Severity(c.Findings[i].Severity).Rank() < codes.Severity(c.Findings[j].Severity).Rank()
	})
	return c
}

// targetRows is the statement's table at the target scale: production's
// row count (snapshot statistics) × the target scale.
func (a *analysis) targetRows(s *series) int64 {
	t := a.table(s.schema, s.table)
	if t == nil {
		return 0
	}
	return int64(float64(t.Stats.RowCount())*a.in.TargetScale + 0.5)
}

func (a *analysis) table(schema, name string) *snapshot.Table {
	if name == "" {
		return nil
	}
	if schema != "" {
		if t := a.tables[strings.ToLower(schema+"."+name)]; t != nil {
			return t
		}
	}
	return a.tables[strings.ToLower(name)]
}

// tableBytes is the table's size at the target scale (data + indexes).
func (a *analysis) tableBytes(s *series) int64 {
	t := a.table(s.schema, s.table)
	if t == nil {
		return 0
	}
	return int64(float64(t.Stats.DataBytes+t.Stats.IndexBytes) * a.in.TargetScale)
}
