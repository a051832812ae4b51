package reports

import (
	"strings"
	"testing"
)

// The terminal table is readable at 100 columns and plain when piped.
func TestTableFitsAndColour(t *testing.T) {
	for _, name := range fixtureNames {
		doc := loadFixture(t, name)
		plain := string(render(t, "table", doc, Options{Width: 100}))
		if strings.Contains(plain, "\x1b[") {
			t.Errorf("%s: plain table has ANSI escapes", name)
		}
		for i, l := range strings.Split(plain, "\n") {
			if n := visibleLen(l); n > 100 {
				t.Errorf("%s: line %d is %d columns wide (> 100):\n%s", name, i+1, n, l)
			}
		}
		if !strings.HasPrefix(plain, verdictWord(doc.Verdict)) {
			t.Errorf("%s: the table does not start with the verdict: %q", name, firstLine(plain))
		}
		color := string(render(t, "table", doc, Options{Color: true, Width: 100}))
		if !strings.Contains(color, "\x1b[") {
			t.Errorf("%s: colour table has no ANSI escapes", name)
		}
		for i, l := range strings.Split(color, "\n") {
			if n := visibleLen(l); n > 100 {
				t.Errorf("%s: colour line %d is %d columns wide", name, i+1, n)
			}
		}
	}
}

func TestTableNamesFailedGatesAndStatements(t *testing.T) {
	out := string(render(t, "table", loadFixture(t, "fail"), Options{}))
	for _, want := range []string{
		"FAIL", "max-lock-wait (20250310100000#1): measured 20.02s, limit 5s",
		"20250310100000#1", "NOCOPY", "20.02s", "20.10s", "×2948", "data_lost", "RUN202",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	part := string(render(t, "table", loadFixture(t, "partial"), Options{}))
	for _, want := range []string{"20250320110000#2 FAILED", "E1060", "not run", "Partial state: 20250320110000 failed at statement 2", "down migration recovers this state: no"} {
		if !strings.Contains(part, want) {
			t.Errorf("partial table lacks %q", want)
		}
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
