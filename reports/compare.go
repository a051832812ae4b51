package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/result"
)

// compareHeader is the comparison's columns, one row per strategy.
var compareHeader = []string{"strategy", "status", "duration", "writers blocked", "longest stall", "blocked", "outside cut-over", "cut-over stall", "write p99 (×baseline)", "write errors", "extra disk", "redo", "replica lag", "same table"}

func compareRow(f result.StrategyFigures) []string {
	same := "-"
	if f.SchemaIdentical != nil {
		same = map[bool]string{true: "yes", false: "NO"}[*f.SchemaIdentical]
	}
	status := f.Status
	if f.Algorithm != "" && f.Status == "ok" && f.Strategy == "native" {
		status += " (" + f.Algorithm + ")"
	}
	p99 := millis(f.P99Ms)
	if f.P99Ratio > 0 {
		p99 += " (" + ratio(f.P99Ratio) + ")"
	}
	lag := "-"
	if f.ReplicaLagS > 0 {
		lag = secs(f.ReplicaLagS)
	}
	return []string{f.Strategy, status, secs(f.DurationS), fmt.Sprint(f.WritersBlocked), secs(f.LongestStallS),
		pct(f.BlockedShare), pct(f.BlockedShareOutsideCutOver), secs(f.CutOverStallS), p99, fmt.Sprint(f.WriteErrors),
		mysqlkit.Bytes(f.ExtraDiskBytes), mysqlkit.Bytes(f.RedoBytes), lag, same}
}

func pct(f float64) string {
	if f > 0 && f < 0.01 {
		return fmt.Sprintf("%.1f%%", 100*f)
	}
	return fmt.Sprintf("%.0f%%", 100*f)
}

func compareTitle(c *result.Comparison) string {
	return fmt.Sprintf("rehearse compare: %s on %s %s (%s engine), scale %g, seed %d, load %s ops/s",
		strings.Join(c.Strategies, ", "), c.Inputs.Flavor, c.Inputs.Version, c.Inputs.Engine, c.Inputs.Scale, c.Inputs.Seed, num(c.Inputs.LoadRate))
}

func sameDataText(c *result.Comparison) string {
	if c.SameData {
		return "same data: yes — " + c.SameDataNote
	}
	return "same data: NO — " + c.SameDataNote
}

func runText(r result.StrategyResult) string {
	from := "data generated"
	if r.Cached {
		from = "data from the cache"
	}
	s := fmt.Sprintf("%s: %s in %s (%s)", r.Strategy, r.Verdict, secs(r.DurationS), from)
	if r.Verdict != result.Pass && r.Reason != "" {
		s += ": " + oneLine(r.Reason)
	}
	if len(r.Leftovers) > 0 {
		s += "; left behind: " + strings.Join(r.Leftovers, ", ")
	}
	return s
}

func tableCompare(w io.Writer, c *result.Comparison, o Options) error {
	fmt.Fprintln(w, compareTitle(c))
	fmt.Fprintln(w, sameDataText(c))
	for _, cs := range c.Statements {
		fmt.Fprintln(w)
		table := ""
		if cs.Table != "" {
			table = fmt.Sprintf("  (%s, %s rows in production)", cs.Table, mysqlkit.Thousands(cs.Rows))
		}
		fmt.Fprintf(w, "%s %s%s\n", stmtID(cs.Version, cs.Index), clip(oneLine(cs.SQL), o.width()-20), table)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(compareHeader, "\t"))
		for _, f := range cs.By {
			fmt.Fprintln(tw, strings.Join(compareRow(f), "\t"))
		}
		tw.Flush()
		for _, f := range cs.By {
			if f.Status != "ok" && f.Error != "" {
				fmt.Fprintf(w, "  %s: %s\n", f.Strategy, oneLine(f.Error))
			}
			if len(f.WriteErrorClasses) > 0 {
				fmt.Fprintf(w, "  %s: write errors %s\n", f.Strategy, errorsText(f.WriteErrorClasses))
			}
			for _, d := range f.SchemaDiff {
				fmt.Fprintf(w, "  %s: table differs: %s\n", f.Strategy, d)
			}
		}
		fmt.Fprintf(w, "→ recommended: %s — %s\n", cs.Recommended, cs.Why)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "rehearsals:")
	for _, r := range c.Runs {
		fmt.Fprintf(w, "  %s\n", runText(r))
		if r.Report != nil {
			for _, m := range r.Report.Migrations {
				for _, s := range m.Statements {
					for _, n := range s.StrategyNotes {
						fmt.Fprintf(w, "    %s: %s\n", stmtID(m.Version, s.Index), n)
					}
				}
			}
		}
	}
	return nil
}

func markdownCompare(w io.Writer, c *result.Comparison, o Options) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n%s\n", mdText(compareTitle(c)), mdText(sameDataText(c)))
	for _, cs := range c.Statements {
		fmt.Fprintf(&b, "\n### %s `%s`\n\n", stmtID(cs.Version, cs.Index), strings.ReplaceAll(clip(oneLine(cs.SQL), 200), "`", "'"))
		if cs.Table != "" {
			fmt.Fprintf(&b, "Table %s, %s rows in production.\n\n", mdText(cs.Table), mysqlkit.Thousands(cs.Rows))
		}
		fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(compareHeader, " | "), strings.Repeat("---|", len(compareHeader)))
		for _, f := range cs.By {
			row := compareRow(f)
			for i := range row {
				row[i] = mdCell(row[i])
			}
			fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
		}
		for _, f := range cs.By {
			if f.Status != "ok" && f.Error != "" {
				fmt.Fprintf(&b, "\n- %s: %s", f.Strategy, mdText(oneLine(f.Error)))
			}
			if len(f.WriteErrorClasses) > 0 {
				fmt.Fprintf(&b, "\n- %s: write errors %s", f.Strategy, mdText(errorsText(f.WriteErrorClasses)))
			}
			for _, d := range f.SchemaDiff {
				fmt.Fprintf(&b, "\n- %s: table differs: `%s`", f.Strategy, strings.ReplaceAll(d, "`", "'"))
			}
		}
		fmt.Fprintf(&b, "\n\n**Recommended: %s** — %s\n", mdText(cs.Recommended), mdText(cs.Why))
	}
	fmt.Fprintf(&b, "\n### Rehearsals\n\n")
	for _, r := range c.Runs {
		fmt.Fprintf(&b, "- %s\n", mdText(runText(r)))
		if r.Report != nil {
			for _, m := range r.Report.Migrations {
				for _, s := range m.Statements {
					for _, n := range s.StrategyNotes {
						fmt.Fprintf(&b, "  - %s: %s\n", stmtID(m.Version, s.Index), mdText(n))
					}
				}
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// strategyLines say how a run report's statements were applied (rehearse
// run --strategy): the strategy, each statement applied otherwise and its
// figures, what the server's settings did to the tool.
func strategyLines(r *result.Report) []string {
	st := r.Strategy
	if st == nil {
		return nil
	}
	out := []string{"strategy: " + st.Name}
	if len(st.Applied) == 0 {
		out[0] += " (no statement applied otherwise: none heavy)"
	}
	for _, m := range r.Migrations {
		for _, s := range m.Statements {
			if s.Strategy == "" || s.Status == "not_run" {
				continue
			}
			l := fmt.Sprintf("  %s %s: %s, cut-over stall %s, writes blocked %s (%s outside the cut-over)", stmtID(m.Version, s.Index), s.Strategy, secs(s.DurationS), secs(s.CutOverStallS), pct(s.BlockedShare), pct(s.BlockedShareOutsideCutOver))
			if s.Error != "" {
				l += ": " + oneLine(s.Error)
			}
			out = append(out, l)
			for _, n := range s.StrategyNotes {
				out = append(out, "    note: "+n)
			}
		}
	}
	return out
}
