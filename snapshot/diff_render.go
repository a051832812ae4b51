package snapshot

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// DiffFormats are the output formats of RenderDiff.
var DiffFormats = []string{"table", "json", "md"}

// RenderDiff writes r as "table" (aligned text for a terminal), "json" or
// "md" (Markdown for a pull request or a ticket).
func RenderDiff(w io.Writer, r *DiffReport, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	case "md":
		return renderMarkdown(w, r)
	case "table", "":
		return renderTable(w, r)
	}
	return fmt.Errorf("unknown format %q (use %s)", format, strings.Join(DiffFormats, ", "))
}

func sideLine(s DiffSide) string {
	out := fmt.Sprintf("%s: %s %s, %d databases, %d tables", s.Name, s.Flavor, s.Version, s.Databases, s.Tables)
	if s.Host != "" {
		out += ", host " + s.Host
	}
	if s.CreatedAt != "" {
		out += ", taken " + s.CreatedAt
	}
	return out
}

func summaryLine(r *DiffReport) string {
	if len(r.Findings) == 0 {
		return "No drift: the environments match in version, settings, schema, history and scale."
	}
	var parts []string
	for _, k := range DriftKinds {
		if n := r.Count(k); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	return fmt.Sprintf("%d findings: %s.", len(r.Findings), strings.Join(parts, ", "))
}

func renderTable(w io.Writer, r *DiffReport) error {
	fmt.Fprintln(w, sideLine(r.A))
	fmt.Fprintln(w, sideLine(r.B))
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	fmt.Fprintln(w)
	if len(r.Findings) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "KIND\tOBJECT\tCHANGE\t%s\t%s\n", strings.ToUpper(r.A.Name), strings.ToUpper(r.B.Name))
		for _, f := range r.Findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Kind, f.Object, f.Change, cell(f.A), cell(f.B))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
		for i, f := range r.Findings {
			fmt.Fprintf(w, "%d. [%s] %s: %s\n", i+1, f.Kind, f.Object, f.Consequence)
		}
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintln(w, summaryLine(r))
	return err
}

func cell(s string) string {
	if s == "" {
		return "-"
	}
	if len(s) > 48 {
		return s[:45] + "..."
	}
	return s
}

func renderMarkdown(w io.Writer, r *DiffReport) error {
	fmt.Fprintf(w, "## Environment parity: %s vs %s\n\n", r.A.Name, r.B.Name)
	fmt.Fprintf(w, "- %s\n- %s\n", sideLine(r.A), sideLine(r.B))
	for _, n := range r.Notes {
		fmt.Fprintf(w, "- note: %s\n", n)
	}
	fmt.Fprintf(w, "\n**%s**\n", summaryLine(r))
	for _, k := range DriftKinds {
		if r.Count(k) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n### %s drift\n\n| object | change | %s | %s | consequence |\n|---|---|---|---|---|\n", strings.ToUpper(string(k[:1]))+string(k[1:]), mdEscape(r.A.Name), mdEscape(r.B.Name))
		for _, f := range r.Findings {
			if f.Kind != k {
				continue
			}
			fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", strings.ReplaceAll(f.Object, "`", "'"), mdEscape(f.Change), mdEscape(cell(f.A)), mdEscape(cell(f.B)), mdEscape(f.Consequence))
		}
	}
	return nil
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
