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
		fmt.Fprintf(w, "\n    model %s, R² %.3f: %s\n", s.Model, s.R2, s.Why)
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
