package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/result"
)

func init() {
	register(Format{
		Name: "table", File: "report.txt",
		Doc:    "terminal table: the verdict first, then one row per migration statement",
		Report: tableReport,
		Other:  tableOther,
	})
}

// tableReport writes the verdict, the failed gates, one row per statement
// and then the sections a person reads next (partial states, findings,
// previous-app check, rollback, errors).
func tableReport(w io.Writer, r *result.Report, o Options) error {
	p := &printer{w: w, color: o.Color, width: o.width()}
	p.verdict(r.Verdict, r.Reason)
	for _, g := range failedGates(r.Gates) {
		p.wrapped("  "+p.paint(red, "✗")+" ", gateText(g))
	}
	p.wrapped("", p.paint(dim, inputsLine(r)))
	if len(r.GateSettings) > 0 {
		p.wrapped("", p.paint(dim, "gates: "+gateSettingsText(r.GateSettings)))
	}
	if d := r.Inputs.VersionDrift; d != "" {
		p.wrapped("", p.paint(yellow, "version: "+d))
	}
	switch {
	case len(r.Migrations) > 0:
		p.blank()
		if err := statementTable(p, r); err != nil {
			return err
		}
		algoNotes(p, r)
		for _, l := range strategyLines(r) {
			p.wrapped("", l)
		}
	case r.Verdict != result.Error:
		// A run refused before its plan knew the release has no
		// statements to show; only a run that got there has none pending.
		p.blank()
		p.line("No pending migrations.")
	}
	partialSection(p, r)
	replicaSection(p, r)
	findingsSection(p, r.Findings)
	appCompatSection(p, r.AppCompat)
	rollbackSection(p, r.Rollback)
	if len(r.Errors) > 0 {
		p.heading("Errors")
		for _, e := range r.Errors {
			p.wrapped("  "+e.Phase+": ", e.Message)
		}
	}
	capacitySection(p, r.Capacity)
	return p.err
}

// inputsLine says what was rehearsed on what, in one line.
func inputsLine(r *result.Report) string {
	in := r.Inputs
	var parts []string
	if server := strings.TrimSpace(in.Flavor + " " + in.Version); server != "" {
		if in.VersionDrift != "" && in.Source != "" {
			server += " (not production's " + in.Source + ")"
		}
		parts = append(parts, server)
	}
	if in.Engine != "" {
		parts = append(parts, in.Engine+" engine")
	}
	if in.Scale > 0 && in.Engine != "" { // no server, no data: a run that stopped before provisioning
		parts = append(parts, fmt.Sprintf("scale %s (%s rows)", num(in.Scale), mysqlkit.Thousands(in.Rows)))
	}
	if k := r.DataCacheKey(); k != "" {
		parts = append(parts, "data from cache (key "+k+")")
	}
	if in.LoadRate > 0 && in.Engine != "" {
		parts = append(parts, fmt.Sprintf("load %s ops/s", num(in.LoadRate)))
	}
	if r.Baseline != nil {
		parts = append(parts, "baseline p99 "+millis(r.Baseline.P99Ms))
	}
	if !r.StartedAt.IsZero() && !r.FinishedAt.IsZero() {
		parts = append(parts, "took "+secs(r.FinishedAt.Sub(r.StartedAt).Seconds()))
	}
	return strings.Join(parts, " · ")
}

// gateColumn maps a gate to the table column that shows its figure.
var gateColumn = map[string]int{
	"max-duration": 1, "max-lock-wait": 3, "max-blocked-writers": 4,
	"max-writer-stall": 5, "max-p99": 6, "max-error-rate": 7, "rollback": 8,
}

func statementTable(p *printer, r *result.Report) error {
	base := "WRITE P99"
	if r.Baseline != nil {
		base = "WRITE P99\nBASE " + millis(r.Baseline.P99Ms)
	}
	header := []string{"STATEMENT", "TIME", "ALGORITHM", "LOCK\nWAIT", "WRITERS\nBLOCKED", "LONGEST\nSTALL", base, "ERRORS", "ROLLBACK"}
	var buf strings.Builder
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoFormat: tw.Off},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
			},
			Row: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
			},
		}),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	hdr := make([]string, len(header))
	for i, h := range header {
		hdr[i] = p.paint(bold, h)
	}
	t.Header(hdr)
	type rowDesc struct {
		cells []string
		what  string
	}
	var rows []rowDesc
	// The statement column gets what the other columns leave of the width.
	widths := make([]int, len(header))
	for i, h := range header {
		for _, l := range strings.Split(h, "\n") {
			widths[i] = max(widths[i], visibleLen(l))
		}
	}
	for _, m := range r.Migrations {
		for _, s := range m.Statements {
			id := stmtID(m.Version, s.Index)
			row := statementRow(r, s, id)
			for _, g := range gatesFor(r.Gates, id) {
				if c, ok := gateColumn[g.Name]; ok && !g.Passed {
					row[c] = p.paint(red, row[c])
				}
			}
			switch stmtStatus(s) {
			case "failed":
				row[0] = p.paint(red, id+" FAILED")
			case "not_run":
				row[0] = p.paint(dim, id+" not run")
			default:
				row[0] = id
			}
			for i, c := range row {
				widths[i] = max(widths[i], visibleLen(c))
			}
			rows = append(rows, rowDesc{row, what(s)})
		}
	}
	rest := 0
	for _, w := range widths[1:] {
		rest += w + 2
	}
	idWidth := max(p.width-rest-2, widths[0], 18)
	for _, rd := range rows {
		rd.cells[0] += "\n  " + clip(rd.what, idWidth-2)
		if err := t.Append(rd.cells); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		p.line("%s", strings.TrimRight(l, " "))
	}
	return p.err
}

// statementRow is one statement's cells; cell 0 is filled by the caller.
func statementRow(r *result.Report, s result.Statement, id string) []string {
	if stmtStatus(s) == "not_run" {
		return []string{"", "", "", "", "", "", "", "", dash(s.Rollback)}
	}
	alg := s.Algorithm
	if algoNote(s) != "" {
		alg += "*" // the terminal table's footnote (algoNotes) or Markdown's cell says more
	}
	p99, errs := "", ""
	if s.During != nil {
		p99 = millis(s.During.P99Ms)
		if x := ratio(s.P99Ratio); x != "" {
			p99 += " " + x
		}
		if n := errorsTotal(s.During.Errors); n > 0 {
			errs = mysqlkit.Thousands(n)
		}
	}
	if s.ErrorCode != 0 {
		errs = strings.TrimSpace(fmt.Sprintf("%s E%d", errs, s.ErrorCode))
	}
	blocked := ""
	if s.WritersBlocked > 0 {
		blocked = fmt.Sprint(s.WritersBlocked)
	}
	stall := "-"
	if s.WritersBlocked > 0 || s.LongestStallS > 0 {
		stall = secs(s.LongestStallS)
	}
	return []string{"", secs(s.DurationS), dash(alg), secs(s.LockWaitS), dash(blocked), stall, dash(p99), dash(errs), dash(s.Rollback)}
}

func partialSection(p *printer, r *result.Report) {
	if t := keptGoingText(r); t != "" {
		p.heading("Kept going after a failure")
		p.wrapped("  ", t)
	}
	for _, m := range r.Migrations {
		if m.Partial == nil {
			continue
		}
		pt := m.Partial
		p.heading(fmt.Sprintf("Partial state: %s failed at statement %d", m.Version, pt.FailedAt))
		for _, s := range m.Statements {
			if s.Index == pt.FailedAt && s.Error != "" {
				p.wrapped("  error: ", s.Error)
			}
		}
		p.line("  committed before the failure: statements %s", joinInts(pt.Committed))
		for _, d := range pt.SchemaDiff {
			p.wrapped("  ~ ", d)
		}
		p.line("  down migration recovers this state: %s", p.paintVerdict(pt.DownRecovers))
		for _, d := range pt.DownDetail {
			p.wrapped("    ", d)
		}
	}
}

func findingsSection(p *printer, fs []result.Finding) {
	if len(fs) == 0 {
		return
	}
	p.heading("Findings")
	for _, f := range fs {
		where := f.Migration
		if f.Statement > 0 {
			where = stmtID(f.Migration, f.Statement)
		}
		lead := fmt.Sprintf("  %s %-7s ", p.paintSeverity(f.Severity), f.Code)
		text := f.Message
		if where != "" {
			text = where + ": " + text
		}
		p.wrapped(lead, text)
		if f.Fix != "" {
			p.wrapped("      fix: ", f.Fix)
		}
		if f.DocsURL != "" {
			p.line("      %s", p.paint(dim, docsLink(f.DocsURL, Options{})))
		}
	}
}

func appCompatSection(p *printer, ac *result.AppCompat) {
	if ac == nil {
		return
	}
	p.heading(fmt.Sprintf("Previous app version against the new schema: %d statement shapes, %d fail", ac.Checked, len(ac.Failures)))
	for _, f := range ac.Failures {
		p.wrapped(fmt.Sprintf("  %s %s %s: ", p.paint(red, "✗"), f.Kind, f.Table), fmt.Sprintf("%s -> %s", f.Shape, f.Error))
	}
}

func rollbackSection(p *printer, rb *result.Rollback) {
	if rb == nil {
		return
	}
	if !rb.Attempted {
		p.heading("Rollback: not attempted")
		return
	}
	word := "restores the pre-release schema"
	if !rb.Restores {
		word = "leaves differences"
	}
	p.heading("Rollback (downs in reverse, under load): " + word)
	for _, m := range rb.Migrations {
		p.line("  %-16s %s", m.Version, p.paintVerdict(m.Verdict))
		for _, d := range m.Detail {
			p.wrapped("    ", d)
		}
	}
	for _, d := range rb.Remaining {
		p.wrapped("  remaining: ", d)
	}
	if rb.Roundtrip != "" {
		p.line("  roundtrip (ups again): %s", rb.Roundtrip)
	}
}

func joinInts(xs []int) string {
	if len(xs) == 0 {
		return "none"
	}
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// dash stands in for an empty cell so columns stay readable.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// capacitySection is the capacity check's predictions (capacityText), a
// line longer than the table's width wrapped at its indentation.
func capacitySection(p *printer, c *result.Capacity) {
	if c == nil {
		return
	}
	var b strings.Builder
	capacityText(&b, c)
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if visibleLen(l) <= p.width {
			p.line("%s", l)
			continue
		}
		body := strings.TrimLeft(l, " ")
		p.wrapped(l[:len(l)-len(body)], body)
	}
}
