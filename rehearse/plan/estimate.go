package plan

import (
	"fmt"
	"math"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// estimate is the expected duration of a statement with algorithm a, from
// the table's rows and the calibration (nil: no estimate beyond metadata).
func estimate(sp *StatementPlan, a *Algo, cal *Calibration) *Estimate {
	if a == nil {
		return nil
	}
	t := sp.Table
	switch {
	case t == nil || t.Missing:
		return nil
	case t.New || t.Rows == 0:
		return &Estimate{Seconds: 0, Basis: "the table is empty when the statement runs"}
	case a.Algorithm == Instant:
		return &Estimate{Seconds: 0, Basis: "INSTANT: metadata only, independent of the table's size (waits for the metadata lock)"}
	}
	if cal == nil {
		return &Estimate{Seconds: -1, Basis: "no calibration: run with the sandbox to measure this engine's speed"}
	}
	where := fmt.Sprintf("measured on %s %s %s, %s", cal.Engine, cal.Flavor, cal.Version, cal.MeasuredAt.Format("2006-01-02"))
	if a.Rebuild || a.Algorithm == Copy {
		s := float64(t.Rows) / cal.CopyRowsPerSec
		return &Estimate{Seconds: round(s), Basis: fmt.Sprintf("%s rows ÷ %s rows/s (table copy/rebuild, %s)", mysqlkit.Thousands(t.Rows), mysqlkit.Thousands(int64(cal.CopyRowsPerSec)), where)}
	}
	n := 0
	for _, op := range sp.Ops {
		switch op.Class {
		case OpAddIndex, OpAddUnique, OpAddFulltext, OpAddSpatial:
			n++
		}
	}
	if n == 0 {
		return &Estimate{Seconds: 0, Basis: "in place without a rebuild or an index build: metadata only"}
	}
	s := float64(t.Rows) * float64(n) / cal.IndexRowsPerSec
	return &Estimate{Seconds: round(s), Basis: fmt.Sprintf("%d index build(s) × %s rows ÷ %s rows/s (index build, %s)", n, mysqlkit.Thousands(t.Rows), mysqlkit.Thousands(int64(cal.IndexRowsPerSec)), where)}
}

func round(s float64) float64 { return math.Round(s*100) / 100 }
