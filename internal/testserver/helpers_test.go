package testserver

import (
	"strings"
	"testing"
)

func TestJSONDiff(t *testing.T) {
	type row struct{ A, B int }
	if d := JSONDiff(row{1, 2}, row{1, 2}); d != "" {
		t.Errorf("same values differ: %s", d)
	}
	d := JSONDiff(row{1, 2}, row{1, 3})
	if !strings.Contains(d, "line 3:") || !strings.Contains(d, `want  "B": 2`) || !strings.Contains(d, `got   "B": 3`) {
		t.Errorf("diff does not name line 3, B 2 vs 3:\n%s", d)
	}
}
