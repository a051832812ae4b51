package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/result"
)

// DefaultMarkdownBudget keeps Markdown under GitHub's 65,536-character
// limit for a comment (and the step summary's 1 MiB) with room for a
// caller's own header.
const DefaultMarkdownBudget = 60_000

// attentionAll is how many statements the table lists in full; above it the
// visible table shows only the statements that need attention and the full
// list is folded.
const attentionAll = 30

func init() {
	register(Format{
		Name: "md", File: "report.md",
		Doc:    "Markdown for a pull-request comment or GitHub's step summary (stays under the comment size limit)",
		Report: markdownReport,
		Other:  markdownOther,
	})
}

func markdownReport(w io.Writer, r *result.Report, o Options) error {
	m := newMD(o)
	m.verdict(r)
	m.text(inputsLine(r) + "\n\n")
	if d := r.Inputs.VersionDrift; d != "" {
		m.text("> **Version:** " + mdText(d) + "\n\n")
	}
	m.gates(r.Gates)
	if len(r.GateSettings) > 0 {
		m.text("Gates applied: " + mdText(gateSettingsText(r.GateSettings)) + ".\n\n")
	}
	m.statements(r)
	if ls := strategyLines(r); len(ls) > 0 {
		var b strings.Builder
		for _, l := range ls {
			b.WriteString("- " + mdText(l) + "\n")
		}
		m.text(b.String() + "\n")
	}
	m.replicas(r)
	m.findings(r.Findings, "Findings")
	m.partials(r)
	m.appCompat(r.AppCompat)
	m.rollback(r.Rollback)
	m.errorsSection(r.Errors)
	if r.Capacity != nil {
		var b strings.Builder
		capacityText(&b, r.Capacity)
		m.try("#### Capacity\n\n" + fence(strings.TrimPrefix(b.String(), "\n"), "text") + "\n\n")
	}
	m.sqlSection(r)
	m.phases(r.Phases)
	m.inputs(r)
	return m.flush(w)
}

func (m *md) verdict(r *result.Report) {
	icon, word := "✅", "passed"
	switch r.Verdict {
	case result.Fail:
		icon, word = "❌", "FAILED"
	case result.Error:
		icon, word = "⚠️", "could not run"
	}
	line := fmt.Sprintf("### %s Migration rehearsal %s", icon, word)
	if r.Reason != "" {
		line += ": " + mdText(r.Reason)
	} else if r.Verdict == result.Pass && len(r.Gates) > 0 {
		line += fmt.Sprintf(": all %d gates passed", len(r.Gates))
	}
	m.must(line + "\n\n")
}

func (m *md) gates(gs []result.Gate) {
	if len(gs) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("| | Gate | Scope | Measured | Limit |\n|---|---|---|---|---|\n")
	for _, g := range gs {
		mark := "✅"
		if !g.Passed {
			mark = "❌"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mark, mdCell(g.Name), mdCell(g.Scope), mdCell(g.Measured), mdCell(g.Limit))
	}
	b.WriteString("\n")
	m.must(b.String())
}

// needsAttention tells whether a statement failed, failed a gate, or has
// an error or warning finding.
func needsAttention(r *result.Report, version string, s result.Statement) bool {
	if stmtStatus(s) == "failed" {
		return true
	}
	for _, g := range gatesFor(r.Gates, stmtID(version, s.Index)) {
		if !g.Passed {
			return true
		}
	}
	for _, f := range r.Findings {
		if f.Migration == version && f.Statement == s.Index && (f.Severity == "error" || f.Severity == "warning") {
			return true
		}
	}
	return false
}

func (m *md) statements(r *result.Report) {
	total := 0
	for _, mg := range r.Migrations {
		total += len(mg.Statements)
	}
	if total == 0 {
		if r.Verdict != result.Error { // refused before the plan: nothing to list
			m.must("No pending migrations.\n\n")
		}
		return
	}
	base := ""
	if r.Baseline != nil {
		base = " (baseline " + millis(r.Baseline.P99Ms) + ")"
	}
	header := "| Statement | Time | Algorithm | Lock wait | Writers blocked | Longest stall | Write p99" + base + " | Errors | Rollback |\n" +
		"|---|--:|---|--:|--:|--:|--:|--:|---|\n"
	row := func(version string, s result.Statement) string {
		id := stmtID(version, s.Index)
		cells := statementRow(r, s, id)
		if note := algoNote(s); note != "" && stmtStatus(s) != "not_run" {
			cells[2] = s.Algorithm + " (" + note + ")"
		}
		for _, g := range gatesFor(r.Gates, id) {
			if c, ok := gateColumn[g.Name]; ok && !g.Passed {
				cells[c] = "**" + cells[c] + "** ❌"
			}
		}
		label := "`" + id + "` " + mdCell(what(s))
		switch stmtStatus(s) {
		case "failed":
			label = "❌ " + label + " **failed**"
		case "not_run":
			label += " *(not run)*"
		}
		cells[0] = label
		for i := 1; i < len(cells); i++ {
			if !strings.HasPrefix(cells[i], "**") {
				cells[i] = mdCell(cells[i])
			}
		}
		return "| " + strings.Join(cells, " | ") + " |\n"
	}
	if total <= attentionAll {
		m.must("#### Statements\n\n" + header)
		m.rows(r, header, row, func(string, result.Statement) bool { return true }, total)
		m.must("\n")
		return
	}
	m.must(fmt.Sprintf("#### Statements that need attention (of %d)\n\n", total))
	shown := m.rows(r, header, row, func(v string, s result.Statement) bool { return needsAttention(r, v, s) }, total)
	if shown == 0 {
		m.must("None.\n")
	}
	m.must("\n")
	m.fold(fmt.Sprintf("All %d statements", total), func(sub *md) {
		sub.must(header)
		sub.rows(r, header, row, func(string, result.Statement) bool { return true }, total)
	})
}

// rows writes the table rows that keep passes, while the budget allows,
// and says how many were left out. It returns how many it wrote.
func (m *md) rows(r *result.Report, header string, row func(string, result.Statement) string, keep func(string, result.Statement) bool, total int) int {
	shown, skipped := 0, 0
	for _, mg := range r.Migrations {
		for _, s := range mg.Statements {
			if !keep(mg.Version, s) {
				continue
			}
			if skipped == 0 && m.try(row(mg.Version, s)) {
				shown++
				continue
			}
			skipped++
		}
	}
	if skipped > 0 {
		m.must(fmt.Sprintf("\n*%d more statements are in the full report (report.html, report.json).*\n", skipped))
	}
	return shown
}

func (m *md) findings(fs []result.Finding, title string) {
	if len(fs) == 0 {
		return
	}
	m.must("#### " + title + "\n\n")
	skipped := 0
	for _, f := range fs {
		var b strings.Builder
		b.WriteString("- " + severityIcon(f.Severity) + " **" + mdText(f.Code) + "**")
		if f.DocsURL != "" {
			b.WriteString(" ([docs](" + docsLink(f.DocsURL, m.opts) + "))")
		}
		where := f.Migration
		if f.Statement > 0 {
			where = stmtID(f.Migration, f.Statement)
		}
		if where != "" {
			b.WriteString(" `" + where + "`")
		}
		b.WriteString(": " + mdText(f.Message))
		if f.Fix != "" {
			b.WriteString("<br>*Fix:* " + mdText(f.Fix))
		}
		b.WriteString("\n")
		if skipped > 0 || !m.try(b.String()) {
			skipped++
		}
	}
	if skipped > 0 {
		m.must(fmt.Sprintf("- *%d more findings are in the full report.*\n", skipped))
	}
	m.must("\n")
}

func severityIcon(s string) string {
	switch s {
	case "error":
		return "❌"
	case "warning":
		return "⚠️"
	}
	return "ℹ️"
}

func (m *md) partials(r *result.Report) {
	if t := keptGoingText(r); t != "" {
		m.try("⚠️ " + mdText(t) + "\n\n")
	}
	for _, mg := range r.Migrations {
		pt := mg.Partial
		if pt == nil {
			continue
		}
		m.fold(fmt.Sprintf("Partial state: %s failed at statement %d, down recovers: %s", mg.Version, pt.FailedAt, pt.DownRecovers), func(sub *md) {
			for _, s := range mg.Statements {
				if s.Index == pt.FailedAt && s.Error != "" {
					sub.try("Error: `" + mdCode(s.Error) + "`\n\n")
				}
			}
			sub.try("Committed before the failure: statements " + joinInts(pt.Committed) + "\n\n")
			sub.list("Schema now differs from the pre-release schema", pt.SchemaDiff)
			sub.list("Down migration on this state", pt.DownDetail)
		})
	}
}

func (m *md) appCompat(ac *result.AppCompat) {
	if ac == nil {
		return
	}
	title := fmt.Sprintf("Previous app version against the new schema: %d statement shapes, %d fail", ac.Checked, len(ac.Failures))
	if len(ac.Failures) == 0 {
		m.try("✅ " + title + "\n\n")
		return
	}
	m.fold("⚠️ "+title, func(sub *md) {
		sub.try("| Table | Kind | Statement | Error | Caused by |\n|---|---|---|---|---|\n")
		for _, f := range ac.Failures {
			sub.try(fmt.Sprintf("| %s | %s | `%s` | %s | %s |\n", mdCell(f.Table), mdCell(f.Kind), mdCode(f.Shape), mdCell(f.Error), mdCell(f.Cause)))
		}
	})
}

func (m *md) rollback(rb *result.Rollback) {
	if rb == nil {
		return
	}
	if !rb.Attempted {
		m.try("Rollback: not attempted.\n\n")
		return
	}
	title := "✅ Rollback restores the pre-release schema"
	if !rb.Restores {
		title = "⚠️ Rollback leaves differences"
	}
	m.fold(title, func(sub *md) {
		sub.try("| Migration | Down verdict | Detail |\n|---|---|---|\n")
		for _, mr := range rb.Migrations {
			sub.try(fmt.Sprintf("| `%s` | %s | %s |\n", mdCode(mr.Version), mdCell(mr.Verdict), mdCell(strings.Join(mr.Detail, "; "))))
		}
		sub.try("\n")
		sub.list("Remaining differences", rb.Remaining)
		if rb.Roundtrip != "" {
			sub.try("Roundtrip (ups again after the downs): " + mdText(rb.Roundtrip) + "\n")
		}
	})
}

func (m *md) errorsSection(es []result.ErrorEntry) {
	if len(es) == 0 {
		return
	}
	m.must("#### Errors of the rehearsal\n\n")
	for _, e := range es {
		m.try("- **" + mdText(e.Phase) + "**: " + mdText(e.Message) + "\n")
	}
	m.must("\n")
}

func (m *md) sqlSection(r *result.Report) {
	if len(r.Migrations) == 0 {
		return
	}
	opened := m.fold("SQL of each statement", func(sub *md) {
		skipped := 0
		for _, mg := range r.Migrations {
			for _, s := range mg.Statements {
				block := fmt.Sprintf("`%s` %s line %d\n%s\n", stmtID(mg.Version, s.Index), mdText(mg.File), s.Line, fence(s.SQL, "sql"))
				if skipped > 0 || !sub.try(block) {
					skipped++
				}
			}
		}
		if skipped > 0 {
			sub.must(fmt.Sprintf("*%d more statements are in the full report.*\n", skipped))
		}
	})
	if !opened {
		// Not even the section's summary fitted: say where the SQL is.
		n := 0
		for _, mg := range r.Migrations {
			n += len(mg.Statements)
		}
		m.must(fmt.Sprintf("*SQL of each statement: %d more statements are in the full report.*\n", n))
	}
}

func (m *md) phases(ps []result.Phase) {
	if len(ps) == 0 {
		return
	}
	m.fold("Phases", func(sub *md) {
		sub.try("| Phase | Start | Duration | Status | Detail |\n|---|--:|--:|---|---|\n")
		for _, p := range ps {
			sub.try(fmt.Sprintf("| %s | %s | %s | %s | %s |\n", mdCell(p.Name), secs(p.StartS), secs(p.Duration), mdCell(p.Status), mdCell(p.Detail)))
		}
	})
}

func (m *md) inputs(r *result.Report) {
	in := r.Inputs
	m.fold("Inputs", func(sub *md) {
		rows := [][2]string{
			{"Snapshot", in.Snapshot + " (" + in.SnapshotDigest + ")"},
			{"Source", in.Source},
			{"Migrations", in.Migrations + " (" + fmt.Sprint(len(in.MigrationIDs)) + " pending)"},
			{"Server", strings.TrimSpace(in.Flavor+" "+in.Version) + " on the " + in.Engine + " engine"},
			{"Scale", num(in.Scale) + " (" + mysqlkit.Thousands(in.Rows) + " rows)"},
			{"Load", num(in.LoadRate) + " ops/s, " + in.LoadProfile},
			{"lock_wait_timeout", secs(in.Lockwait)},
			{"Settings", strings.Join(in.Settings, ", ")},
			{"Seed", fmt.Sprint(in.Seed)},
			{"Tool", r.Tool},
		}
		sub.try("| | |\n|---|---|\n")
		for _, kv := range rows {
			sub.try("| " + kv[0] + " | " + mdCell(kv[1]) + " |\n")
		}
	})
}

// list writes a titled bullet list, as far as the budget allows.
func (m *md) list(title string, items []string) {
	if len(items) == 0 {
		return
	}
	m.try(title + ":\n\n")
	for _, it := range items {
		m.try("- " + mdText(it) + "\n")
	}
	m.try("\n")
}
