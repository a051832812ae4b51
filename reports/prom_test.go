package reports

import (
	"regexp"
	"strings"
	"testing"
)

var (
	promSample = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|NaN|[+-]Inf)$`)
	promMeta   = regexp.MustCompile(`^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$`)
)

// checkExposition checks Prometheus' text format rules a textfile collector
// enforces: HELP and TYPE once per family before its samples, a family's
// samples together, valid names, escaped label values, no duplicate series.
func checkExposition(t *testing.T, name, text string) {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Errorf("%s: no final newline", name)
	}
	seenFamily := map[string]bool{}
	seenSeries := map[string]bool{}
	current := ""
	for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if m := promMeta.FindStringSubmatch(l); m != nil {
			if m[1] == "HELP" {
				if seenFamily[m[2]] {
					t.Errorf("%s:%d: family %s appears twice", name, i+1, m[2])
				}
				seenFamily[m[2]], current = true, m[2]
			} else if m[2] != current || m[3] != "gauge" {
				t.Errorf("%s:%d: TYPE line %q does not follow its HELP", name, i+1, l)
			}
			continue
		}
		m := promSample.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("%s:%d: not a valid sample: %q", name, i+1, l)
			continue
		}
		if m[1] != current {
			t.Errorf("%s:%d: sample of %s outside its family (%s)", name, i+1, m[1], current)
		}
		key := m[1] + m[2]
		if seenSeries[key] {
			t.Errorf("%s:%d: duplicate series %s", name, i+1, key)
		}
		seenSeries[key] = true
	}
}

func TestPrometheusExposition(t *testing.T) {
	for _, name := range fixtureNames {
		checkExposition(t, name, string(render(t, "prom", loadFixture(t, name), Options{})))
	}
	out := string(render(t, "prom", loadFixture(t, "fail"), Options{}))
	for _, want := range []string{
		`rehearse_statement_lock_wait_seconds{migration="20250310100000",statement="1",table="investments",operation="CREATE UNIQUE INDEX"} 20.02`,
		`rehearse_statement_longest_stall_seconds{migration="20250311083000",statement="1",table="investments",operation="MODIFY COLUMN"} 12.5`,
		`rehearse_statement_write_p99_ratio{migration="20250310100000",statement="1",table="investments",operation="CREATE UNIQUE INDEX"} 2948.5`,
		`rehearse_gate_passed{gate="max-p99",scope="total",limit="500ms"} 0`,
		`rehearse_duration_seconds 75`,
		`rehearse_passed 0`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Label values with quotes, backslashes and newlines stay one line.
	r := loadFixture(t, "pass")
	r.Migrations[0].Statements[0].Table = "we\"ird\\ta\nble"
	checkExposition(t, "escaped", string(render(t, "prom", r, Options{})))
}
