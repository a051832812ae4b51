package reproduce

import (
	"context"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/run"
)

// --fix strategy=NAME sets the rehearsal's strategy; a name rehearse run
// --strategy does not take is refused (cmd without --osc-cmd is the
// command's exit 2: TestReproduceFixStrategyValue).
func TestFixStrategy(t *testing.T) {
	f, err := ParseFix("strategy=pt-osc")
	if err != nil {
		t.Fatal(err)
	}
	var o run.Options
	changes, err := f.Apply(context.Background(), &o, nil)
	if err != nil || o.Strategy.Name != run.StrategyPTOSC || len(changes) != 1 || !strings.Contains(changes[0], "pt-osc") {
		t.Errorf("apply: %v, strategy %q, changes %q", err, o.Strategy.Name, changes)
	}
	for _, bad := range []string{"strategy=gh-ost", "strategy=PT-OSC"} {
		if _, err := ParseFix(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
