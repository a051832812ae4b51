package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/rehearse/rehearse/snapshot"
)

// Renderers for environment-parity results (`rehearse diff`,
// snapshot.DiffReport): the terminal table, Markdown and JUnit XML. Like
// the run report's they lead with the verdict: drift or no drift.

func diffVerdict(r *snapshot.DiffReport) (word, summary string) {
	if len(r.Findings) == 0 {
		return "NO DRIFT", "the environments match in version, settings, schema, history and scale"
	}
	var parts []string
	for _, k := range snapshot.DriftKinds {
		if n := r.Count(k); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	return "DRIFT", fmt.Sprintf("%d findings: %s", len(r.Findings), strings.Join(parts, ", "))
}

func diffSide(s snapshot.DiffSide) string {
	out := fmt.Sprintf("%s: %s %s, %d databases, %d tables", s.Name, s.Flavor, s.Version, s.Databases, s.Tables)
	if s.Host != "" {
		out += ", host " + s.Host
	}
	if s.CreatedAt != "" {
		out += ", taken " + s.CreatedAt
	}
	return out
}

// diffChange is "A → B" with absent sides named.
func diffChange(f snapshot.Finding, a, b string) string {
	va, vb := f.A, f.B
	if va == "" {
		va = "(absent in " + a + ")"
	}
	if vb == "" {
		vb = "(absent in " + b + ")"
	}
	return va + " → " + vb
}

func tableDiff(w io.Writer, r *snapshot.DiffReport, o Options) error {
	p := &printer{w: w, color: o.Color, width: o.width()}
	word, summary := diffVerdict(r)
	style := yellow
	if len(r.Findings) == 0 {
		style = green
	}
	p.wrapped(p.paint(bold+style, word)+"  ", summary)
	p.line("%s", p.paint(dim, diffSide(r.A)))
	p.line("%s", p.paint(dim, diffSide(r.B)))
	for _, n := range r.Notes {
		p.wrapped("note: ", n)
	}
	for _, k := range snapshot.DriftKinds {
		if r.Count(k) == 0 {
			continue
		}
		p.heading(fmt.Sprintf("%s drift (%d)", string(k), r.Count(k)))
		for _, f := range r.Findings {
			if f.Kind != k {
				continue
			}
			p.wrapped("  "+p.paint(yellow, "~")+" ", f.Object+" ("+f.Change+"): "+diffChange(f, r.A.Name, r.B.Name))
			p.wrapped("      ", f.Consequence)
		}
	}
	return p.err
}

func markdownDiff(w io.Writer, r *snapshot.DiffReport, o Options) error {
	m := newMD(o)
	word, summary := diffVerdict(r)
	icon := "✅"
	if len(r.Findings) > 0 {
		icon = "⚠️"
	}
	m.must(fmt.Sprintf("### %s Environment parity: %s vs %s — %s: %s\n\n", icon, mdText(r.A.Name), mdText(r.B.Name), strings.ToLower(word), mdText(summary)))
	m.must("- " + mdText(diffSide(r.A)) + "\n- " + mdText(diffSide(r.B)) + "\n")
	for _, n := range r.Notes {
		m.try("- note: " + mdText(n) + "\n")
	}
	m.must("\n")
	for _, k := range snapshot.DriftKinds {
		if r.Count(k) == 0 {
			continue
		}
		m.must(fmt.Sprintf("#### %s drift (%d)\n\n| Object | Change | %s | %s | Consequence |\n|---|---|---|---|---|\n", string(k), r.Count(k), mdCell(r.A.Name), mdCell(r.B.Name)))
		skipped := 0
		for _, f := range r.Findings {
			if f.Kind != k {
				continue
			}
			row := fmt.Sprintf("| `%s` | %s | %s | %s | %s |\n", mdCode(f.Object), mdCell(f.Change), mdCell(dash(f.A)), mdCell(dash(f.B)), mdCell(f.Consequence))
			if skipped > 0 || !m.try(row) {
				skipped++
			}
		}
		if skipped > 0 {
			m.must(fmt.Sprintf("\n*%d more %s findings are in the JSON report.*\n", skipped, k))
		}
		m.must("\n")
	}
	return m.flush(w)
}

// junitDiff has one test case per drift kind, failed when the kind has
// findings (each finding is one <failure>).
func junitDiff(w io.Writer, r *snapshot.DiffReport, _ Options) error {
	s := junitSuite{Name: "rehearse.diff", Time: junitTime(0), Properties: &junitProps{Props: []junitProp{
		{"a", diffSide(r.A)}, {"b", diffSide(r.B)},
	}}}
	for _, k := range snapshot.DriftKinds {
		c := junitCase{Name: fmt.Sprintf("no %s drift between %s and %s", k, r.A.Name, r.B.Name), Classname: "rehearse.diff." + string(k), Time: junitTime(0)}
		for _, f := range r.Findings {
			if f.Kind == k {
				c.Failures = append(c.Failures, junitResult{
					Message: f.Object + " (" + f.Change + "): " + diffChange(f, r.A.Name, r.B.Name),
					Type:    "drift-" + string(k),
					Body:    f.Consequence,
				})
			}
		}
		s.add(c)
	}
	doc := junitSuites{Name: "rehearse", Tests: s.Tests, Failures: s.Failures, Time: junitTime(0), Suites: []junitSuite{s}}
	return writeXML(w, doc)
}
