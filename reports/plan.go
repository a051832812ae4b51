package reports

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// Renderers for plans (`rehearse plan`, "rehearse.plan/v1"): the terminal
// table, Markdown and JUnit XML, verdict first like the run report's. A
// plan's verdict is its findings: errors block the release.

// planRow is one statement worth a row: DDL, DML and what could not be
// analysed; DDL found inside PREPARE strings and routine bodies follows its
// statement. Session statements (SET, ...) are left out.
type planRow struct {
	pm    *plan.PendingMigration
	sp    *plan.StatementPlan
	id    string // VERSION#N
	inner bool
}

func planRows(p *plan.Plan) []planRow {
	var rows []planRow
	for i := range p.Pending {
		pm := &p.Pending[i]
		for j := range pm.Statements {
			sp := &pm.Statements[j]
			id := stmtID(pm.Version, j+1)
			if sp.Kind == "ddl" || sp.Kind == "dml" || !sp.Analysed || sp.Executes == plan.DynamicSQL {
				rows = append(rows, planRow{pm, sp, id, false})
			}
			for k := range sp.Inner {
				if in := &sp.Inner[k]; in.Kind == "ddl" || in.Kind == "dml" {
					rows = append(rows, planRow{pm, in, id + " " + in.Via, true})
				}
			}
		}
	}
	return rows
}

func planVerdict(p *plan.Plan) (word, line string) {
	s := p.Summary
	word = "OK"
	switch {
	case s.Errors > 0:
		word = "BLOCKED"
	case s.Warnings > 0:
		word = "WARNINGS"
	}
	line = fmt.Sprintf("%s, %s · %d pending migrations, %d statements: %d rebuild, %d block writes, est. %s",
		plural(s.Errors, "error"), plural(s.Warnings, "warning"), s.Pending, s.Statements, s.Rebuilds, s.Blocking, secs(s.EstimatedSeconds))
	return word, line
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// topFindings are the findings a reader must see first: the plan orders
// them (errors, then warnings; the largest table first), the summary shows
// the first three of error or warning severity.
func topFindings(p *plan.Plan) []plan.Finding {
	var out []plan.Finding
	for _, f := range p.Findings {
		if len(out) == 3 || f.Severity == plan.SevInfo {
			break
		}
		out = append(out, f)
	}
	return out
}

// findingWhere is where a finding applies, for one line: "file:line", or
// "file:line and 5 more statements".
func findingWhere(f plan.Finding) string {
	pls := f.Places()
	w := placeName(pls[0])
	if len(pls) > 1 {
		w += fmt.Sprintf(" and %d more", len(pls)-1)
	}
	return w
}

func placeName(pl plan.Place) string {
	switch {
	case pl.File != "":
		return fmt.Sprintf("%s:%d", filepath.Base(pl.File), pl.Line)
	case pl.Migration != "":
		return pl.Migration
	}
	return ""
}

// findingHead is a finding's message without the places a grouped one
// lists itself.
func findingHead(f plan.Finding) string {
	if len(f.Statements) > 1 && f.Statements[0].Message != "" {
		return f.Title
	}
	return f.Message
}

func planContext(p *plan.Plan) []string {
	out := []string{fmt.Sprintf("%s %s, schema %s · %d %s migrations in %s", p.Snapshot.Flavor, p.Snapshot.Version, p.Snapshot.Schema,
		p.Migrations.Total, p.Migrations.Format, p.Migrations.Dir)}
	if h := p.History; h != nil {
		out = append(out, fmt.Sprintf("history: %s %s.%s, %d applied, newest %s", h.Runner, h.Schema, h.Table, h.Applied, dash(h.Newest)))
	}
	if sb := p.Sandbox; sb != nil {
		out = append(out, fmt.Sprintf("verified on a %s %s %s sandbox: %d statements replayed, %d failed (%s)", sb.Engine, sb.Flavor, sb.Version, sb.Replayed, sb.Failed, secs(sb.Seconds)))
		if sb.VersionDrift != "" {
			out = append(out, "version: "+sb.VersionDrift)
		}
	} else {
		out = append(out, "not verified on a sandbox: algorithms are predictions")
	}
	return out
}

// planCells are a row's figures: what, table, predicted, verified, replay,
// estimate.
func planCells(sp *plan.StatementPlan) (ops, table, pred, ver, replay, est string) {
	var o []string
	for _, op := range sp.Ops {
		x := op.Class
		if op.Object != "" {
			x += " " + op.Object
		}
		o = append(o, x)
	}
	ops = strings.Join(o, ", ")
	if !sp.Analysed {
		ops = "not analysed"
		if sp.NotAnalysed != "" {
			ops += ": " + sp.NotAnalysed
		}
	}
	if t := sp.Table; t != nil {
		switch {
		case t.Missing:
			table = t.Name + " (missing)"
		case t.New:
			table = t.Name + " (new)"
		default:
			table = t.Name + " (" + mysqlkit.Thousands(t.Rows) + ")"
		}
	}
	if a := sp.Predicted; a != nil {
		pred = a.Algorithm + "/" + a.Lock
	} else if sp.Executes == plan.DynamicSQL {
		pred = plan.DynamicSQL
	}
	if v := sp.Verified; v != nil && v.Algorithm != "" {
		ver = v.Algorithm + "/" + v.Lock
		if !v.Agrees && sp.Predicted != nil { // nothing predicted (dynamic SQL): nothing to differ from
			ver += " (differs)"
		}
	}
	if r := sp.Replay; r != nil {
		switch {
		case r.OK:
			replay = "ok"
		case r.Class != "":
			replay = fmt.Sprintf("%s %d", r.Class, r.Error)
		default:
			replay = fmt.Sprintf("failed %d", r.Error)
		}
	}
	if e := sp.Estimate; e != nil && e.Seconds >= 0 {
		est = secs(e.Seconds)
	}
	return
}

func tablePlan(w io.Writer, p *plan.Plan, o Options) error {
	pr := &printer{w: w, color: o.Color, width: o.width()}
	word, line := planVerdict(p)
	style := green
	switch word {
	case "BLOCKED":
		style = red
	case "WARNINGS":
		style = yellow
	}
	pr.wrapped(pr.paint(bold+style, word)+"  ", line)
	for _, c := range planContext(p) {
		pr.wrapped("", pr.paint(dim, c))
	}
	if top := topFindings(p); len(top) > 0 {
		pr.blank()
		for i, f := range top {
			where := findingWhere(f)
			if where != "" {
				where += ": "
			}
			pr.wrapped(fmt.Sprintf("%d. %s %-6s ", i+1, pr.paintSeverity(string(f.Severity)), f.Code), where+clip(findingHead(f), 160))
		}
	}
	pr.blank()
	rows := planRows(p)
	if len(rows) == 0 {
		pr.line("No pending migrations.")
	} else {
		var buf strings.Builder
		t := tablewriter.NewTable(&buf,
			tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Borders: tw.BorderNone, Symbols: tw.NewSymbols(tw.StyleNone),
				Settings: tw.Settings{Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off}, Lines: tw.Lines{ShowHeaderLine: tw.Off}}})),
			tablewriter.WithConfig(tablewriter.Config{
				Header: tw.CellConfig{Formatting: tw.CellFormatting{AutoFormat: tw.Off}, Alignment: tw.CellAlignment{Global: tw.AlignLeft}},
				Row:    tw.CellConfig{Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone}, Alignment: tw.CellAlignment{Global: tw.AlignLeft}},
			}),
			tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
			tablewriter.WithTrimSpace(tw.Off),
		)
		t.Header([]string{pr.paint(bold, "STATEMENT"), pr.paint(bold, "TABLE (ROWS)"), pr.paint(bold, "PREDICTED"), pr.paint(bold, "VERIFIED"), pr.paint(bold, "REPLAY"), pr.paint(bold, "EST.")})
		for _, r := range rows {
			ops, table, pred, ver, replay, est := planCells(r.sp)
			if strings.Contains(ver, "differs") {
				ver = pr.paint(yellow, ver)
			}
			if replay != "" && replay != "ok" {
				replay = pr.paint(red, replay)
			}
			first := fmt.Sprintf("%s line %d", r.id, r.sp.Line)
			if err := t.Append([]string{first + "\n  " + clip(ops, max(pr.width-66, 24)), dash(table), dash(pred), dash(ver), dash(replay), dash(est)}); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
		for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
			pr.line("%s", strings.TrimRight(l, " "))
		}
	}
	if len(p.Findings) > 0 {
		pr.heading("Findings")
		for _, f := range p.Findings {
			lead := fmt.Sprintf("  %s %-6s ", pr.paintSeverity(string(f.Severity)), f.Code)
			text := findingHead(f)
			switch {
			case len(f.Statements) > 1:
				text += fmt.Sprintf(" — at %d places:", len(f.Statements))
			case f.File != "":
				text = fmt.Sprintf("%s:%d: %s", filepath.Base(f.File), f.Line, text)
			}
			pr.wrapped(lead, text)
			if len(f.Statements) > 1 {
				for _, pl := range f.Statements {
					t := placeName(pl)
					if pl.Message != "" {
						t += ": " + pl.Message
					}
					pr.wrapped("        - ", t)
				}
			}
			if f.Recommendation != "" {
				pr.wrapped("      fix: ", f.Recommendation)
			}
			if f.Docs != "" {
				pr.line("      %s", pr.paint(dim, docsLink(f.Docs, o)))
			}
		}
	}
	for _, pb := range p.Problems {
		pr.wrapped("note: ", pb.String())
	}
	return pr.err
}

func markdownPlan(w io.Writer, p *plan.Plan, o Options) error {
	m := newMD(o)
	word, line := planVerdict(p)
	icon := map[string]string{"OK": "✅", "WARNINGS": "⚠️", "BLOCKED": "❌"}[word]
	m.must(fmt.Sprintf("### %s Migration plan %s: %s\n\n", icon, strings.ToLower(word), mdText(line)))
	for _, c := range planContext(p) {
		m.must(mdText(c) + "  \n")
	}
	m.must("\n")
	if top := topFindings(p); len(top) > 0 {
		for i, f := range top {
			where := findingWhere(f)
			if where != "" {
				where = " `" + mdCode(where) + "`"
			}
			m.must(fmt.Sprintf("%d. %s **%s**%s: %s\n", i+1, severityIcon(string(f.Severity)), mdText(f.Code), where, mdText(clip(findingHead(f), 240))))
		}
		m.must("\n")
	}
	rows := planRows(p)
	if len(rows) == 0 {
		m.must("No pending migrations.\n\n")
	} else {
		m.must("| Statement | Operation | Table (rows) | Predicted | Verified | Replay | Est. |\n|---|---|---|---|---|---|--:|\n")
		skipped := 0
		for _, r := range rows {
			ops, table, pred, ver, replay, est := planCells(r.sp)
			row := fmt.Sprintf("| `%s` %s:%d | %s | %s | %s | %s | %s | %s |\n", mdCode(r.id), mdCell(filepath.Base(r.sp.File)), r.sp.Line,
				mdCell(ops), mdCell(dash(table)), mdCell(dash(pred)), mdCell(dash(ver)), mdCell(dash(replay)), mdCell(dash(est)))
			if skipped > 0 || !m.try(row) {
				skipped++
			}
		}
		if skipped > 0 {
			m.must(fmt.Sprintf("\n*%d more statements are in the JSON plan.*\n", skipped))
		}
		m.must("\n")
	}
	if len(p.Findings) > 0 {
		m.must("#### Findings\n\n")
		skipped := 0
		for _, f := range p.Findings {
			s := "- " + severityIcon(string(f.Severity)) + " **" + mdText(f.Code) + "**"
			if f.Docs != "" {
				s += " ([docs](" + docsLink(f.Docs, o) + "))"
			}
			if f.File != "" && len(f.Statements) < 2 {
				s += fmt.Sprintf(" `%s:%d`", mdCode(filepath.Base(f.File)), f.Line)
			}
			s += ": " + mdText(findingHead(f))
			if len(f.Statements) > 1 {
				s += fmt.Sprintf(" — at %d places:", len(f.Statements))
				for _, pl := range f.Statements {
					s += "<br>• `" + mdCode(placeName(pl)) + "`"
					if pl.Message != "" {
						s += " " + mdText(pl.Message)
					}
				}
			}
			if f.Recommendation != "" {
				s += "<br>*Fix:* " + mdText(f.Recommendation)
			}
			if skipped > 0 || !m.try(s+"\n") {
				skipped++
			}
		}
		if skipped > 0 {
			m.must(fmt.Sprintf("- *%d more findings are in the JSON plan.*\n", skipped))
		}
		m.must("\n")
	}
	m.fold("SQL of each statement", func(sub *md) {
		for _, r := range rows {
			sub.try(fmt.Sprintf("`%s` %s line %d\n%s\n", r.id, mdText(r.sp.File), r.sp.Line, fence(r.sp.SQL, "sql")))
		}
	})
	return m.flush(w)
}

// junitPlan: one case per statement (failed when its replay on the
// sandbox failed or an error finding points at it) and one per finding
// (failed when its severity is error).
func junitPlan(w io.Writer, p *plan.Plan, o Options) error {
	stmts := junitSuite{Name: "rehearse.plan.statements", Time: junitTime(0)}
	for _, r := range planRows(p) {
		ops, table, pred, ver, replay, est := planCells(r.sp)
		c := junitCase{Name: r.id + " " + dash(ops), Classname: "rehearse.plan." + classPart(r.pm.Key), Time: junitTime(0),
			SystemOut: &junitCharData{Body: fmt.Sprintf("%s line %d\n%s\ntable %s, predicted %s, verified %s, replay %s, estimate %s",
				r.sp.File, r.sp.Line, oneLine(r.sp.SQL), dash(table), dash(pred), dash(ver), dash(replay), dash(est))}}
		if rp := r.sp.Replay; rp != nil && !rp.OK && rp.Class != "skipped" {
			c.Failures = append(c.Failures, junitResult{Message: fmt.Sprintf("replay on the sandbox: %s (MySQL %d)", rp.Message, rp.Error), Type: "replay-" + rp.Class, Body: oneLine(r.sp.SQL)})
		}
		for _, f := range p.Findings {
			for _, pl := range f.Places() {
				if f.Severity == plan.SevError && pl.File != "" && filepath.Base(pl.File) == filepath.Base(r.sp.File) && pl.Line == r.sp.Line {
					msg := f.Message
					if pl.Message != "" {
						msg = pl.Message
					}
					c.Failures = append(c.Failures, junitResult{Message: f.Code + ": " + msg, Type: f.Code, Body: f.Recommendation})
				}
			}
		}
		stmts.add(c)
	}
	finds := junitSuite{Name: "rehearse.plan.findings", Time: junitTime(0)}
	for _, f := range p.Findings {
		where := f.Migration
		if f.File != "" {
			where = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if n := len(f.Statements); n > 1 {
			where += fmt.Sprintf(" and %d more", n-1)
		}
		c := junitCase{Name: f.Code + " " + f.Title + " (" + dash(where) + ")", Classname: "rehearse.plan.rules." + classPart(f.Code), Time: junitTime(0),
			SystemOut: &junitCharData{Body: f.Message + plan.PlacesText(f) + "\n" + f.Recommendation + "\n" + docsLink(f.Docs, o)}}
		if f.Severity == plan.SevError {
			c.Failures = append(c.Failures, junitResult{Message: f.Message, Type: f.Code, Body: f.Recommendation})
		}
		finds.add(c)
	}
	doc := junitSuites{Name: "rehearse", Suites: []junitSuite{stmts}, Time: junitTime(0)}
	if len(finds.Cases) > 0 {
		doc.Suites = append(doc.Suites, finds)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	return writeXML(w, doc)
}
