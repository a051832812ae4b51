// Package reports renders rehearse's result documents for people and for
// machines: a terminal table, Markdown for pull-request comments and step
// summaries, JUnit XML for CI test reporters, one self-contained HTML file
// with a timeline chart, the JSON document itself, and Prometheus text
// exposition.
//
// Renderers take a finished document and an io.Writer and compute nothing:
// every figure they print is a field of the document. What they do decide is
// layout (widths, scales, folding, truncation to a size budget). Before any
// renderer sees a document, Render replaces credentials found in its strings
// (DSN passwords, password= options, IDENTIFIED BY literals) with "*****", so
// no output format can leak one.
//
// The documents are result.Report ("rehearse.report/v1"), plan.Plan
// ("rehearse.plan/v1") and snapshot.DiffReport; each format renders the
// documents it fits (Supports tells which).
//
// Charts are SVG generated here (svg.go, timeline.go, capacity.go) rather
// than drawn with a plotting library such as gonum/plot: the timeline is a
// fixed layout (a phase strip and three panels sharing a time axis, with
// statement spans and fault markers across them) that takes a few hundred
// lines, while gonum/plot would add about eight modules, embed font data
// in every page and emit text as glyph paths, which the browser test could
// not read back as labels. Generated SVG keeps labels as <text>, tooltips
// as <title>, colours as presentation attributes (readable under Jenkins'
// Content-Security-Policy, which drops inline styles) and output
// deterministic for golden files.
package reports
