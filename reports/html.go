package reports

import (
	_ "embed"
	"html/template"
	"io"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/result"
)

//go:embed html.tmpl
var htmlSource string

//go:embed html.css
var htmlCSS string

func init() {
	register(Format{
		Name: "html", File: "report.html",
		Doc:    "one self-contained HTML file (no network): timeline chart, statements, findings, capacity",
		Report: htmlReport,
	})
}

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"secs": secs, "millis": millis, "count": mysqlkit.Thousands, "num": num, "ratio": ratio, "bytes": mysqlkit.Bytes,
	"stmtID": stmtID, "what": what, "status": stmtStatus, "oneLine": oneLine, "errorsText": errorsText,
	"verdictWord": verdictWord, "gateText": gateText, "gateSettingsText": gateSettingsText, "keptGoingText": keptGoingText, "failedGates": failedGates, "joinInts": joinInts,
	"lower": strings.ToLower, "dash": dash, "inputsLine": inputsLine, "algoNote": algoNote, "replicationLine": replicationLine,
	"gateFailed": func(r *result.Report, version string, index int, name string) bool {
		for _, g := range gatesFor(r.Gates, stmtID(version, index)) {
			if g.Name == name && !g.Passed {
				return true
			}
		}
		return false
	},
	"timeline": func(r *result.Report) template.HTML {
		// The SVG is built from escaped text only (see svg.go).
		return template.HTML(timelineSVG(r))
	},
	"bandText":      bandText,
	"capacityChart": func(c result.CapacityStatement) template.HTML { return template.HTML(capacitySVG(c)) },
	"css":           func() template.CSS { return template.CSS(htmlCSS) },
	"hasTimeline":   func(r *result.Report) bool { return len(r.Timeline) > 0 },
	"p99":           func(w *result.Window) string { return millis(w.P99Ms) },
}).Parse(htmlSource))

// htmlReport writes one self-contained page: inline CSS and SVG, no
// script, no external resource (a Content-Security-Policy forbids any), so
// it opens the same from a CI artifact store as from disk.
func htmlReport(w io.Writer, r *result.Report, _ Options) error {
	return htmlTmpl.Execute(w, r)
}
