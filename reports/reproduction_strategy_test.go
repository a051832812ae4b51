package reports

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/result"
)

// TestSideBySideStrategyRow: a strategy fix adds the row "applied with"
// (as written for the incident, the strategy and its cut-over stall for
// the fix); without one the table keeps its rows.
func TestSideBySideStrategyRow(t *testing.T) {
	r := &result.Reproduction{Runs: []result.ReproRun{
		{Name: "incident", Figures: result.ReproFigures{Statement: "20240306#1", Found: true}},
		{Name: "fix strategy=pt-osc", Fix: "strategy=pt-osc", Figures: result.ReproFigures{Statement: "20240306#1", Found: true, Strategy: "pt-osc", CutOverStallS: 0.3}},
	}}
	_, rows := sideBySide(r)
	var applied []string
	for _, row := range rows {
		if row[0] == "applied with" {
			applied = row
		}
	}
	if got := strings.Join(applied, " | "); got != "applied with | as written | as written | pt-osc (cut-over stall 0.30 s)" {
		t.Errorf("applied with row: %q", got)
	}
	_, plain := sideBySide(&result.Reproduction{Runs: r.Runs[:1]})
	if len(plain) != len(rows)-1 || plain[1][0] == "applied with" {
		t.Errorf("without a strategy fix: rows %v", plain)
	}
}
