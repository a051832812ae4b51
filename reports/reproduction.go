package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/rehearse/rehearse/rehearse/result"
)

// Renderers of a reproduction (`rehearse reproduce`,
// "rehearse.reproduction/v1"). The Markdown is written to be pasted into a
// postmortem: the verdict, the incident's timeline next to the
// rehearsal's, the root cause as measured, the fixes side by side, the
// commands to re-run it, and what the evidence could not tell.

func reproVerdict(r *result.Reproduction) string {
	switch r.Verdict {
	case "reproduced":
		return "REPRODUCED"
	case "not_reproduced":
		return "NOT REPRODUCED"
	}
	return "COULD NOT RUN"
}

// sideBySide is the table of figures: the incident (evidence), then each
// rehearsal.
func sideBySide(r *result.Reproduction) (header []string, rows [][]string) {
	header = []string{"", "incident (evidence)"}
	for _, run := range r.Runs {
		header = append(header, run.Name)
	}
	d := r.Incident.DDL
	inc := func(s string) []string { return []string{s} }
	waitInc, outInc, stmtInc := "—", "—", "—"
	if d != nil {
		waitInc = fmt.Sprintf("%.1f s (%.1f–%.1f)", d.WaitS, d.WaitLoS, d.WaitHiS)
		if d.Open {
			waitInc = fmt.Sprintf("≥ %.1f s", d.WaitS)
		}
		outInc = d.Outcome
		stmtInc = fmt.Sprintf("%s#%d", d.Migration, d.Statement)
		if d.Migration == "" {
			stmtInc = "not matched"
		}
	}
	q := r.Incident.Writers
	lines := [][]string{
		append([]string{"statement"}, inc(stmtInc)...),
		append([]string{"DDL's metadata-lock wait"}, inc(waitInc)...),
		append([]string{"DDL's outcome"}, inc(outInc)...),
		append([]string{"writers queued"}, inc(fmt.Sprintf("%d (at most %d at once)", q.Writers, q.Peak))...),
		append([]string{"longest writer wait"}, inc(fmt.Sprintf("≥ %.0f s (sampled)", q.LongestS))...),
		append([]string{"verdict (gates)"}, inc("—")...),
	}
	for _, run := range r.Runs {
		f := run.Figures
		out := "ran"
		switch {
		case !f.Found:
			out = "not run"
		case f.ErrorCode != 0:
			out = fmt.Sprintf("failed %d after %.1f s", f.ErrorCode, f.DurationS)
		default:
			out = fmt.Sprintf("ran, %.1f s in all", f.DurationS)
		}
		lines[0] = append(lines[0], f.Statement)
		lines[1] = append(lines[1], fmt.Sprintf("%.2f s", f.LockWaitS))
		lines[2] = append(lines[2], out)
		lines[3] = append(lines[3], fmt.Sprintf("%d (at most %d at once)", f.WritersBlocked, f.DeepestQueue))
		lines[4] = append(lines[4], fmt.Sprintf("%.2f s", f.LongestStallS))
		lines[5] = append(lines[5], f.Verdict)
	}
	// How the statement was applied, when a fix changed it (--fix strategy=).
	applied := []string{"applied with", "as written"}
	shown := false
	for _, run := range r.Runs {
		f := run.Figures
		a := "as written"
		if f.Strategy != "" {
			a, shown = f.Strategy, true
			if f.CutOverStallS > 0 {
				a += fmt.Sprintf(" (cut-over stall %.2f s)", f.CutOverStallS)
			}
		}
		applied = append(applied, a)
	}
	if shown {
		lines = append(lines[:1], append([][]string{applied}, lines[1:]...)...)
	}
	return header, lines
}

func markdownReproduction(w io.Writer, r *result.Reproduction, o Options) error {
	m := newMD(o)
	m.must(fmt.Sprintf("## Incident reproduction: %s\n\n", reproVerdict(r)))
	m.must(r.Reason + "\n\n")
	m.must("Tolerance: " + r.Tolerance + ".\n\n")

	m.must("### What happened (from the evidence)\n\n")
	if d := r.Incident.DDL; d != nil {
		m.must(fmt.Sprintf("Session %d ran `%s` on `%s`", d.Session, clipLine(d.SQL, 160), d.Table))
		if d.Migration != "" {
			m.must(fmt.Sprintf(" (statement %d of migration %s: %s)", d.Statement, d.Migration, d.MatchedBy))
		}
		m.must(".\n\n")
		m.must("How the wait was measured: " + d.How + ".\n\n")
	}
	if !r.Incident.T0.IsZero() {
		m.must(fmt.Sprintf("T0 = %s (the DDL's start).\n\n", r.Incident.T0.Format("2006-01-02 15:04:05.000 MST")))
	}
	m.must("| t (s) | incident (evidence) | rehearsal | source |\n|---:|---|---|---|\n")
	var reh []result.IncidentEvent
	if len(r.Runs) > 0 {
		reh = r.Runs[0].Timeline
	}
	i, j := 0, 0
	for i < len(r.Incident.Timeline) || j < len(reh) {
		if j >= len(reh) || i < len(r.Incident.Timeline) && r.Incident.Timeline[i].T <= reh[j].T {
			e := r.Incident.Timeline[i]
			m.try(fmt.Sprintf("| %+.1f | %s | | %s |\n", e.T, mdCell(e.What), mdCell(e.Source)))
			i++
			continue
		}
		e := reh[j]
		m.try(fmt.Sprintf("| %+.1f | | %s | |\n", e.T, mdCell(e.What)))
		j++
	}
	m.must("\n")

	m.must("### Root cause, as measured\n\n")
	if len(r.Incident.Blockers) == 0 {
		m.must("The blocker is not identified in the evidence (see the problems below); the rehearsal stood in a transaction holding the DDL's table for the DDL's observed wait.\n\n")
	}
	for _, b := range r.Incident.Blockers {
		what := "idle in its transaction"
		if b.Statement != "" {
			what = "`" + clipLine(b.Statement, 120) + "`"
		}
		end := "its end is not in the evidence"
		if b.EndKnown {
			end = fmt.Sprintf("ended at %+.1f s", b.EndS)
		}
		m.must(fmt.Sprintf("- session %d held `%s` (%s; tables from %s), open from %+.1f s, %s. Rehearsed as `%s`.\n", b.Session, strings.Join(b.Tables, "`, `"), what, b.TablesFrom, b.StartS, end, b.Injection))
	}
	m.must("\n| check | incident | rehearsal | holds |\n|---|---|---|---|\n")
	for _, c := range r.Checks {
		mark := "yes"
		if !c.Passed {
			mark = "**no**: " + mdCell(c.Why)
		}
		m.must(fmt.Sprintf("| %s | %s | %s | %s |\n", c.Name, mdCell(c.Incident), mdCell(c.Rehearsal), mark))
	}
	m.must("\n### Incident and fixes, side by side\n\n")
	h, rows := sideBySide(r)
	m.must("| " + strings.Join(h, " | ") + " |\n|" + strings.Repeat("---|", len(h)) + "\n")
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = mdCell(c)
		}
		m.must("| " + strings.Join(cells, " | ") + " |\n")
	}
	m.must("\n")
	for _, run := range r.Runs {
		if len(run.Changes) > 0 {
			m.must(fmt.Sprintf("- **%s**: %s\n", run.Name, strings.Join(run.Changes, "; ")))
		}
	}
	for _, p := range r.Pending {
		m.must(fmt.Sprintf("- pending, not rehearsed: %s\n", p))
	}
	m.must("\n### Re-run it\n\n```sh\n")
	for _, c := range r.Commands {
		m.must(c + "\n")
	}
	m.must("```\n\n")
	if r.Scenario != nil {
		m.must(fmt.Sprintf("Saved as scenario `%s` in `%s` (variants: %s): CI runs it with `rehearse scenarios run --dir %s`.\n\n", r.Scenario.Name, r.Scenario.Dir, strings.Join(r.Scenario.Variants, ", "), r.Scenario.Dir))
	}
	m.must(fmt.Sprintf("### Inputs\n\n- snapshot `%s`, migrations `%s`, evidence `%s` (%d files, %d processlist captures; times in %s)\n- scale %g, load %.1f ops/s: %s\n\n",
		r.Inputs.Snapshot, r.Inputs.Migrations, r.Inputs.Evidence, len(r.Evidence.Files), r.Evidence.Captures, r.Evidence.Zone, r.Inputs.Scale, r.Inputs.LoadRate, r.Inputs.LoadSource))
	if len(r.Evidence.Problems) > 0 {
		m.fold(fmt.Sprintf("What the evidence could not tell (%d lines)", len(r.Evidence.Problems)), func(s *md) {
			for _, p := range r.Evidence.Problems {
				s.try("- " + mdCell(p) + "\n")
			}
		})
	}
	if len(r.Notes) > 0 {
		m.must("Notes:\n\n")
		for _, n := range r.Notes {
			m.try("- " + n + "\n")
		}
		m.must("\n")
	}
	for _, e := range r.Errors {
		m.must(fmt.Sprintf("- error (%s): %s\n", e.Phase, e.Message))
	}
	_, err := io.WriteString(w, m.b.String())
	return err
}

func tableReproduction(w io.Writer, r *result.Reproduction, o Options) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", reproVerdict(r), r.Reason)
	fmt.Fprintf(&b, "tolerance: %s\n\n", r.Tolerance)
	for _, c := range r.Checks {
		mark := "ok  "
		if !c.Passed {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "  %s %-45s incident %s | rehearsal %s\n", mark, c.Name, c.Incident, c.Rehearsal)
		if c.Why != "" {
			fmt.Fprintf(&b, "       %s\n", c.Why)
		}
	}
	b.WriteString("\n")
	h, rows := sideBySide(r)
	width := make([]int, len(h))
	for i, c := range h {
		width[i] = len([]rune(c))
	}
	for _, row := range rows {
		for i, c := range row {
			if n := len([]rune(c)); i < len(width) && n > width[i] {
				width[i] = n
			}
		}
	}
	line := func(cells []string) {
		for i, c := range cells {
			fmt.Fprintf(&b, "%-*s  ", width[i], c)
		}
		b.WriteString("\n")
	}
	line(h)
	for _, row := range rows {
		line(row)
	}
	for _, p := range r.Pending {
		fmt.Fprintf(&b, "pending: %s\n", p)
	}
	if n := len(r.Evidence.Problems); n > 0 {
		fmt.Fprintf(&b, "\n%d evidence lines not read as they stand:\n", n)
		for _, p := range r.Evidence.Problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// clipLine is s on one line, at most n characters.
func clipLine(s string, n int) string {
	s = oneLine(s)
	if len([]rune(s)) > n {
		return string([]rune(s)[:n-1]) + "…"
	}
	return s
}
