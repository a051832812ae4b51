package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/result"
)

// capacityText writes a capacity check's predictions (rehearse capacity,
// run --extrapolate) as text: the table renderer's last section, and the
// Markdown one's in a fenced block. Its findings are not repeated: the
// capacity check adds them to the report's, which every renderer lists.
func capacityText(w io.Writer, c *result.Capacity) {
	if c == nil {
		return
	}
	fmt.Fprintf(w, "\nCapacity at scale %g (measured at %v):\n", c.TargetScale, c.Scales)
	for _, n := range c.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	for _, s := range c.Statements {
		fmt.Fprintf(w, "  %s#%d  %s\n", s.Migration, s.Statement, oneLineSQL(s.SQL, 90))
		for _, p := range s.Points {
			e := ""
			if p.Error != "" {
				e = "  FAILED: " + p.Error
			}
			if p.ReplicaLagS > 0 {
				e = fmt.Sprintf("  replica lag %.3fs", p.ReplicaLagS) + e
			}
			fmt.Fprintf(w, "    measured  scale %-5g %9d rows %8.3fs  stall %6.3fs  disk %9s  log %9s%s\n",
				p.Scale, p.Rows, p.DurationS, p.StallS, mysqlkit.Bytes(p.DiskBytes), mysqlkit.Bytes(p.LogBytes), e)
		}
		for _, sp := range s.Spread {
			if sp.Runs > 1 {
				fmt.Fprintf(w, "    spread    scale %-5g %9d rows  %d runs: median %s, %s to %s (range %.0f%% of the median)\n",
					sp.Scale, sp.Rows, sp.Runs, secsText(sp.MedianS), secsText(sp.MinS), secsText(sp.MaxS), sp.SpreadPct)
			}
		}
		if s.Model == "none" {
			fmt.Fprintf(w, "    %s\n", s.Note)
			continue
		}
		pr := s.Predicted
		fmt.Fprintf(w, "    predicted %10d rows  %s (%s to %s)  stall %s  disk %s (up to %s)  log %s",
			pr.Rows, secsText(pr.DurationS), secsText(pr.DurationLo), secsText(pr.DurationHi), secsText(pr.StallS),
			mysqlkit.Bytes(pr.DiskBytes), mysqlkit.Bytes(max(pr.DiskHi, pr.DiskBytes)), mysqlkit.Bytes(pr.LogBytes))
		if pr.ReplicaLagS > 0 {
			fmt.Fprintf(w, "  replica lag %s (%s to %s)", secsText(pr.ReplicaLagS), secsText(pr.ReplicaLagLo), secsText(pr.ReplicaLagHi))
		}
		if pr.OnlineLogRate > 0 {
			fmt.Fprintf(w, "  online log %s (up to %s)", mysqlkit.Bytes(pr.OnlineLogBytes), mysqlkit.Bytes(pr.OnlineLogHi))
		}
		fmt.Fprintf(w, "\n    model %s, R² %.3f (every run): %s\n", s.Model, s.R2, s.Why)
		if b := bandText(s); b != "" {
			fmt.Fprintf(w, "    band: %s\n", b)
		}
		if s.Note != "" {
			fmt.Fprintf(w, "    note: %s\n", s.Note)
		}
	}
}

func secsText(s float64) string {
	switch {
	case s < 1:
		return fmt.Sprintf("%.0fms", s*1000)
	case s < 120:
		return fmt.Sprintf("%.1fs", s)
	}
	return (time.Duration(s) * time.Second).Round(time.Second).String()
}

func oneLineSQL(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// bandText says what the duration's band is made of: the fit's error and
// the measured run-to-run spread propagated to the target, and how far the
// prediction extrapolates ("" for a document without them).
func bandText(s result.CapacityStatement) string {
	for _, f := range s.Fits {
		if f.Metric != "duration" || (f.FitBandPct == 0 && f.SpreadBandPct == 0) {
			continue
		}
		t := fmt.Sprintf("±%.0f%% = fit ±%.0f%% combined with run-to-run spread ±%.0f%%", f.BandPct, f.FitBandPct, f.SpreadBandPct)
		if s.Extrapolation > 0 {
			t += fmt.Sprintf("; the target is %.1f× the largest measured row count", s.Extrapolation)
			if s.Extrapolation > 10 {
				t += " (EXTRAPOLATES more than 10×)"
			}
		}
		return t
	}
	return ""
}

// capacityLine is a statement's capacity prediction on one line (JUnit's
// system-out): the prediction and its band, what the band is made of, the
// run-to-run spread per scale.
func capacityLine(s result.CapacityStatement) string {
	if s.Model == "none" {
		return "capacity: " + s.Note
	}
	pr := s.Predicted
	t := fmt.Sprintf("capacity: predicted at %d rows %s (%s to %s), model %s, R² %.3f (every run)",
		pr.Rows, secsText(pr.DurationS), secsText(pr.DurationLo), secsText(pr.DurationHi), s.Model, s.R2)
	if b := bandText(s); b != "" {
		t += "; band " + b
	}
	var sp []string
	for _, g := range s.Spread {
		if g.Runs > 1 {
			sp = append(sp, fmt.Sprintf("scale %g %s to %s over %d runs", g.Scale, secsText(g.MinS), secsText(g.MaxS), g.Runs))
		}
	}
	if len(sp) > 0 {
		t += "; run-to-run spread: " + strings.Join(sp, ", ")
	}
	if s.Extrapolation > 10 {
		t += fmt.Sprintf("; extrapolates %.0f× beyond the largest measured scale", s.Extrapolation)
	}
	return t
}
