package reports

import (
	"regexp"
	"strings"
)

// The charts carry their colours as SVG presentation attributes, not only
// as CSS classes: Jenkins serves archived HTML under a Content-Security-
// Policy that drops inline <style>, and an SVG without styles draws every
// path filled black. With attributes the chart reads the same anywhere.
var svgPresentation = map[string]string{
	"panel":              `fill="none" stroke="#d0d7de"`,
	"grid":               `stroke="#eaeef2"`,
	"axis":               `stroke="#8c959f"`,
	"tick":               `fill="#656d76" font-size="11"`,
	"axis-title":         `fill="#656d76" font-size="12"`,
	"legend":             `fill="#656d76" font-size="12"`,
	"panel-title":        `fill="#1f2328" font-size="12" font-weight="600"`,
	"phase":              `stroke="#ffffff"`,
	"phase-0":            `fill="#eaeef2"`,
	"phase-1":            `fill="#d8dee4"`,
	"phase-failed":       `fill="#ffcecb"`,
	"phase-label":        `fill="#1f2328" font-size="11"`,
	"span-band":          `fill="#0969da" fill-opacity="0.08"`,
	"span-band-1":        `fill="#8250df" fill-opacity="0.08"`,
	"span-band-failed":   `fill="#cf222e" fill-opacity="0.18"`,
	"span-band-down":     `fill="#1a7f37" fill-opacity="0.10"`,
	"span-label":         `fill="#0550ae" font-size="10.5"`,
	"fault-band":         `fill="#cf222e" fill-opacity="0.06"`,
	"fault-line":         `stroke="#cf222e" stroke-dasharray="4 3"`,
	"fault-mark":         `fill="#cf222e"`,
	"fault-label":        `fill="#cf222e" font-size="11" font-weight="600"`,
	"series":             `fill="none" stroke-width="1.6" stroke-linejoin="round"`,
	"series-throughput":  `stroke="#0969da"`,
	"series-p50":         `stroke="#8c959f" stroke-width="1.2"`,
	"series-p99":         `stroke="#bc4c00"`,
	"series-waiters":     `stroke="#8250df"`,
	"series-blocked":     `stroke="#cf222e" stroke-width="2"`,
	"series-replica-lag": `stroke="#bf8700" stroke-width="2"`,
	"fit-band":           `fill="#0969da" fill-opacity="0.12"`,
	"fit-curve":          `fill="none" stroke="#0969da" stroke-width="1.6"`,
	"measured":           `fill="#1f2328"`,
	"spread":             `stroke="#1f2328" stroke-width="1.5"`,
	"predicted":          `fill="#bc4c00"`,
	"predicted-range":    `stroke="#bc4c00" stroke-width="2"`,
}

var (
	classAttr = regexp.MustCompile(`class="([^"]*)"`)
	attrPair  = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
)

// styled adds presentation attributes after every class attribute of an
// SVG fragment, merging the attributes of each class in order (a later
// class wins, as in CSS).
func styled(svgText string) string {
	return classAttr.ReplaceAllStringFunc(svgText, func(m string) string {
		classes := strings.Fields(classAttr.FindStringSubmatch(m)[1])
		var order []string
		vals := map[string]string{}
		for _, c := range classes {
			for _, kv := range attrPair.FindAllStringSubmatch(svgPresentation[c], -1) {
				if _, seen := vals[kv[1]]; !seen {
					order = append(order, kv[1])
				}
				vals[kv[1]] = kv[2]
			}
		}
		var b strings.Builder
		b.WriteString(m)
		for _, k := range order {
			b.WriteString(" " + k + `="` + vals[k] + `"`)
		}
		return b.String()
	})
}
