package capacity

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// fakeSnapshot has one table, investments, with production's row count.
func fakeSnapshot(rows int64, settings map[string]string) *snapshot.Snapshot {
	ten := int64(8)
	return &snapshot.Snapshot{Settings: settings, Schemas: []snapshot.Schema{{Name: "invest", Tables: []snapshot.Table{{
		Name: "investments",
		Columns: []snapshot.Column{{Name: "id", DataType: "bigint"}, {Name: "account_id", DataType: "int"},
			{Name: "fund_code", DataType: "char", CharMaxLength: &ten}},
		Indexes: []snapshot.Index{{Name: "PRIMARY", Primary: true, Columns: []snapshot.IndexColumn{{Name: "id"}}}},
		Stats:   snapshot.TableStats{Rows: rows, DataBytes: rows * 64, AvgRowLength: 64},
	}}}}}
}

// fakeReport is a rehearsal at scale with one statement measured as given.
func fakeReport(scale float64, rows int64, st result.Statement) *result.Report {
	st.Index = 1
	if st.Status == "" {
		st.Status = "ok"
	}
	return &result.Report{Inputs: result.Inputs{Scale: scale, LoadRate: 200, TableRows: map[string]int64{"invest.investments": rows}},
		Migrations: []result.Migration{{Version: "20240501", Statements: []result.Statement{st}}}}
}

func copyAt(scale float64, rows int64) *result.Report {
	d := float64(rows) * 5e-6 // 5 µs a row
	return fakeReport(scale, rows, result.Statement{SQL: "ALTER TABLE investments MODIFY amount DECIMAL(18,4) NOT NULL",
		DurationS: d, LongestStallS: d * 0.98, Algorithm: "COPY", TempBytes: rows * 90,
		Resources: &result.Resources{LogBytes: rows * 40, BufferPool: 128 << 20}})
}

func TestAnalyzePredictsACopy(t *testing.T) {
	in := Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1,
		Reports: []*result.Report{copyAt(0.01, 42000), copyAt(0.03, 126000), copyAt(0.1, 420000)}}
	c := Analyze(in)
	if len(c.Statements) != 1 {
		t.Fatalf("statements: %+v", c.Statements)
	}
	s := c.Statements[0]
	if s.Model != Linear || s.R2 < 0.999 {
		t.Errorf("model %s R² %g (%s)", s.Model, s.R2, s.Why)
	}
	p := s.Predicted
	if p.Rows != 4200000 || !near(p.DurationS, 21, 0.01) || !near(float64(p.DiskBytes), 4200000*90, 0.01) || !near(p.StallS, 21*0.98, 0.01) {
		t.Errorf("prediction %+v", p)
	}
	if !(p.DurationLo < p.DurationS && p.DurationS < p.DurationHi) || p.DiskHi <= p.DiskBytes {
		t.Errorf("band %+v", p)
	}
	if len(s.Curve) == 0 || s.Curve[len(s.Curve)-1].Rows != 4200000 {
		t.Errorf("curve %+v", s.Curve)
	}
	// 4.2M rows × 64 B do not fit a 128 MiB pool; 420k rows did.
	if f := find(c.Findings, codes.CapBufferPool); f == nil || !strings.Contains(f.Message, "128.0 MiB") {
		t.Errorf("buffer pool finding: %+v", f)
	}
	// Free disk unknown: a warning, never "safe".
	if f := find(c.Findings, codes.CapDisk); f == nil || f.Severity != "warning" {
		t.Errorf("disk finding without free disk: %+v", f)
	}
}

// Repeated runs: the median per scale, so one run slowed 3× by a busy
// machine does not move the prediction.
func TestAnalyzeMedianOfRepeats(t *testing.T) {
	var reps []*result.Report
	for _, sc := range []struct {
		s    float64
		rows int64
	}{{0.01, 42000}, {0.03, 126000}, {0.1, 420000}} {
		for k := 0; k < 3; k++ {
			r := copyAt(sc.s, sc.rows)
			if sc.s == 0.03 && k == 1 {
				r.Migrations[0].Statements[0].DurationS *= 3
			}
			reps = append(reps, r)
		}
	}
	s := Analyze(Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1, Reports: reps}).Statements[0]
	// R² is on every run (issue 20): the slow run lowers it, not the prediction.
	if len(s.Points) != 9 || !near(s.Predicted.DurationS, 21, 0.01) || s.R2 > 0.9 {
		t.Errorf("points %d, predicted %g, R² %g", len(s.Points), s.Predicted.DurationS, s.R2)
	}
}

func TestDiskHeadroomNeverCallsACopySafeBelowTheNeed(t *testing.T) {
	pr := result.Prediction{Rows: 4200000, DiskBytes: 100 << 30, DiskLo: 90 << 30, DiskHi: 130 << 30}
	cases := []struct {
		free int64
		sev  string
	}{
		{0, "warning"},       // unknown: not safe
		{80 << 30, "error"},  // below the need
		{110 << 30, "error"}, // above the central need, below the band's top: still not safe
		{130 << 30, "info"},  // the whole band fits
		{200 << 30, "info"},  // plenty
		{1 << 30, "error"},   // far below
		{129 << 30, "error"}, // just below the band's top
		{140 << 30, "info"},
	}
	for _, c := range cases {
		fs := DiskHeadroom("20240501#1", "investments", pr, 77<<30, c.free)
		if len(fs) != 1 || fs[0].Severity != c.sev {
			t.Errorf("free %d GiB: %+v, want %s", c.free>>30, fs, c.sev)
			continue
		}
		if c.sev == "info" && !strings.Contains(fs[0].Message, "enough") || c.sev == "error" && !strings.Contains(fs[0].Message, "NOT SAFE") {
			t.Errorf("free %d GiB: message %q", c.free>>30, fs[0].Message)
		}
	}
	if fs := DiskHeadroom("x#1", "t", result.Prediction{DiskBytes: 1000, DiskHi: 2000}, 0, 0); len(fs) != 0 {
		t.Errorf("a tiny need is no finding: %+v", fs)
	}
}

func TestAnalyzeFewerThanThreeRowCounts(t *testing.T) {
	in := Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1,
		Reports: []*result.Report{copyAt(0.01, 42000), copyAt(0.03, 126000)}}
	c := Analyze(in)
	s := c.Statements[0]
	if s.Model != None || s.Predicted.DurationS != 0 || len(s.Points) != 2 || !strings.Contains(s.Note, "2 distinct row count") {
		t.Errorf("%+v", s)
	}
	if len(c.Notes) == 0 || find(c.Findings, codes.CapNoPredict) == nil {
		t.Errorf("notes %v findings %+v", c.Notes, c.Findings)
	}
	// Three scales that give the same row counts (a table at the floor of
	// the generator) are not three points either.
	in.Reports = []*result.Report{copyAt(0.01, 100), copyAt(0.03, 100), copyAt(0.1, 100)}
	if s := Analyze(in).Statements[0]; s.Model != None || !strings.Contains(s.Note, "1 distinct") {
		t.Errorf("%+v", s)
	}
}

func TestAnalyzeUnderTimerResolution(t *testing.T) {
	at := func(scale float64, rows int64, d float64) *result.Report {
		return fakeReport(scale, rows, result.Statement{SQL: "ALTER TABLE investments ADD COLUMN settled_at DATETIME NULL", DurationS: d})
	}
	in := Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1,
		Reports: []*result.Report{at(0.01, 42000, 0.0011), at(0.03, 126000, 0.0009), at(0.1, 420000, 0.0012)}}
	s := Analyze(in).Statements[0]
	if s.Model != None || !strings.Contains(s.Note, "timer's resolution") || len(s.Points) != 3 {
		t.Errorf("%+v", s)
	}
}

func TestAnalyzeFailedRunIsAFinding(t *testing.T) {
	bad := copyAt(0.1, 420000)
	bad.Migrations[0].Statements[0].Status = "failed"
	bad.Migrations[0].Statements[0].Error = "Error 1799: Creating index required more than innodb_online_alter_log_max_size"
	bad.Migrations[0].Statements[0].ErrorCode = 1799
	c := Analyze(Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1,
		Reports: []*result.Report{copyAt(0.01, 42000), copyAt(0.03, 126000), bad}})
	f := find(c.Findings, codes.CapFailedRun)
	if f == nil || f.Severity != "error" || !strings.Contains(f.Message, "online-DDL log overflowed") {
		t.Errorf("%+v", c.Findings)
	}
	if c.Statements[0].Model != None {
		t.Errorf("two good points are no fit: %+v", c.Statements[0])
	}
}

func TestAnalyzeDeployTimeout(t *testing.T) {
	in := Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1, DeployTimeout: 10 * time.Second,
		Reports: []*result.Report{copyAt(0.01, 42000), copyAt(0.03, 126000), copyAt(0.1, 420000)}}
	f := find(Analyze(in).Findings, codes.CapTimeout)
	if f == nil || f.Severity != "error" || !strings.Contains(f.Message, "longer than the deploy timeout (10s)") {
		t.Errorf("%+v", f)
	}
	in.DeployTimeout = time.Hour
	if f := find(Analyze(in).Findings, codes.CapTimeout); f != nil {
		t.Errorf("an hour is enough: %+v", f)
	}
}

func TestValidateBadInput(t *testing.T) {
	o := Options{Scales: []float64{0.01, 0.03, 0.1}, TargetScale: 0.05}
	o.Run.Snapshot = fakeSnapshot(4200000, nil)
	if err := o.Validate(); !errors.Is(err, ErrTargetBelow) {
		t.Errorf("target below the largest scale: %v", err)
	}
	o.TargetScale = 1
	if err := o.Validate(); err != nil {
		t.Errorf("good options: %v", err)
	}
	o.Run.Snapshot = fakeSnapshot(0, nil)
	o.Run.Snapshot.Schemas[0].Tables[0].Stats = snapshot.TableStats{}
	if err := o.Validate(); !errors.Is(err, ErrNoStats) {
		t.Errorf("snapshot without statistics: %v", err)
	}
	o.Run.Snapshot = fakeSnapshot(4200000, nil)
	o.Scales = []float64{0.01, -1, 0.1}
	if err := o.Validate(); err == nil {
		t.Error("a negative scale passed")
	}
}

func find(fs []result.Finding, code string) *result.Finding {
	for i := range fs {
		if fs[i].Code == code {
			return &fs[i]
		}
	}
	return nil
}

// With replicas at every scale, the peak replica lag is predicted with the
// duration's model and a band; without replicas at one scale, not at all.
func TestAnalyzePredictsReplicaLag(t *testing.T) {
	withLag := func(r *result.Report, lag float64) *result.Report {
		st := &r.Migrations[0].Statements[0]
		st.Replicas = []result.ReplicaFigures{{Replica: "replica-1", PeakLagS: lag}, {Replica: "replica-2", PeakLagS: lag * 0.9}}
		return r
	}
	reps := []*result.Report{withLag(copyAt(0.01, 42000), 0.22), withLag(copyAt(0.03, 126000), 0.64), withLag(copyAt(0.1, 420000), 2.1)}
	s := Analyze(Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1, Reports: reps}).Statements[0]
	p := s.Predicted
	// 0.22, 0.64, 2.1 s at 42k, 126k, 420k rows: about 5 µs a row, 21 s at 4.2M.
	if s.Model != Linear || !near(p.ReplicaLagS, 21, 0.05) || !(p.ReplicaLagLo < p.ReplicaLagS && p.ReplicaLagS < p.ReplicaLagHi) {
		t.Errorf("replica lag prediction %g (%g to %g), model %s", p.ReplicaLagS, p.ReplicaLagLo, p.ReplicaLagHi, s.Model)
	}
	if s.Points[2].ReplicaLagS != 2.1 {
		t.Errorf("measured points carry the peak lag: %+v", s.Points[2])
	}
	reps[1].Migrations[0].Statements[0].Replicas = nil
	if p := Analyze(Input{Snapshot: fakeSnapshot(4200000, nil), TargetScale: 1, Reports: reps}).Statements[0].Predicted; p.ReplicaLagS != 0 {
		t.Errorf("a scale without replicas still predicted lag %g", p.ReplicaLagS)
	}
}
