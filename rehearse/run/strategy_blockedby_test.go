package run

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
)

// A pt-osc statement names what its writers waited behind, as a native
// one does: a transaction holds a shared metadata lock on investments
// when pt-osc starts; its CREATE TRIGGER waits for the table's exclusive
// lock behind that transaction and every writer queues behind the
// trigger. "Blocked by" names the transaction first (the cause, as for a
// native ALTER) and the tool's statement the writers queued behind.
func TestStrategyPTOSCBlockedBy(t *testing.T) {
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	snap := sourceSnapshot(t, target, 5000)
	set := writeMigrations(t, copyFiles())
	inj, err := ParseInjection("long-txn=investments:4s@3")
	if err != nil {
		t.Fatal(err)
	}
	rep := rehearseRun(t, target, snap, set, func(o *Options) {
		o.Strategy = StrategyOptions{Name: StrategyPTOSC, PTOSCArgs: []string{"--chunk-time", "0.1"}}
		o.Injections = []Injection{inj}
		o.SkipRollback = true
	})
	s := stmt(t, rep, "3", 1)
	t.Logf("pt-osc: %.3f s, lock wait %.3f s, %d writers blocked, longest stall %.3f s; blocked by %q\n%s",
		s.DurationS, s.LockWaitS, s.WritersBlocked, s.LongestStallS, s.BlockedBy, strings.Join(s.ToolOutput, "\n"))
	if s.Status != "ok" || s.Strategy != StrategyPTOSC {
		t.Fatalf("pt-osc: %s %q (strategy %q)", s.Status, s.Error, s.Strategy)
	}
	// pt-osc (Perl) takes a second or two to start and check the table
	// before it creates its triggers: they wait for the rest of the 4 s.
	if s.WritersBlocked == 0 || s.LongestStallS < 0.5 {
		t.Fatalf("%d writers blocked, longest stall %.3f s: want writers queued behind pt-osc's triggers until the 4 s transaction ended", s.WritersBlocked, s.LongestStallS)
	}
	root, queued, _ := strings.Cut(s.BlockedBy, "; writers queued behind ")
	if !strings.Contains(root, "injected long-txn=investments") {
		t.Errorf("blocked by %q: want the injected transaction first", s.BlockedBy)
	}
	if !strings.Contains(strings.ToUpper(queued), "CREATE TRIGGER") {
		t.Errorf("blocked by %q: want the writers queued behind pt-osc's CREATE TRIGGER", s.BlockedBy)
	}
}
