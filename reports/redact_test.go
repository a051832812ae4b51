package reports

import (
	"testing"

	"github.com/rehearse/rehearse/rehearse"
)

func errHint(err error) string { return rehearse.Hint(err) }

// A recursive type whose strings come after the self-reference is still
// masked at every depth.
func TestRedactedRecursiveType(t *testing.T) {
	type node struct {
		Inner []node
		Text  string
	}
	doc := &node{Inner: []node{{Inner: []node{{Text: "root:pw123456@tcp(h)/d"}}}}, Text: "x"}
	out, err := Redacted(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.(*node).Inner[0].Inner[0].Text; got != "root:*****@tcp(h)/d" {
		t.Errorf("got %q", got)
	}
	if doc.Inner[0].Inner[0].Text != "root:pw123456@tcp(h)/d" {
		t.Error("the original was modified")
	}
}
