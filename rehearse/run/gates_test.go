package run

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/result"
)

func TestParseGate(t *testing.T) {
	for _, bad := range []string{"max-lock-wait", "nope=1s", "max-lock-wait=soon", "rollback=maybe", "max-p99=fastx"} {
		if _, err := ParseGate(bad); err == nil {
			t.Errorf("ParseGate(%q): want an error", bad)
		}
	}
	g, err := ParseGate("max-p99=3x")
	if err != nil || g.Factor != 3 {
		t.Fatalf("max-p99=3x: %+v %v", g, err)
	}
}

func TestEvaluateGates(t *testing.T) {
	r := &result.Report{
		Migrations: []result.Migration{{
			Version: "2", DurationS: 12,
			Statements: []result.Statement{
				// A pile-up behind a long transaction: absolute gates judge
				// it (its stall grows with the transaction, not the table).
				{Index: 1, LockWaitS: 3.2, LongestStallS: 3.1, WritersBlocked: 4, DurationS: 3.5, Algorithm: "INPLACE", VerifiedLock: "NONE",
					During: &result.Window{Ops: 100, P99Ms: 900, Errors: map[string]int64{"lock_wait_timeout": 5}}, P99Ratio: 45},
				{Index: 2, LockWaitS: 0.01, DurationS: 8.5, During: &result.Window{Ops: 100, P99Ms: 20}, P99Ratio: 1},
				// A copy: writers held for most of it. A change under a
				// shared lock with a short stall. A blip under the floor. An
				// INSTANT change holding writers for its whole short run (as
				// measured on MariaDB 10.11 under load): not judged.
				{Index: 3, DurationS: 0.30, LongestStallS: 0.28, Algorithm: "COPY"},
				{Index: 4, DurationS: 4, LongestStallS: 0.2, Algorithm: "INPLACE", VerifiedLock: "SHARED"},
				{Index: 5, DurationS: 0.05, LongestStallS: 0.05, Algorithm: "COPY"},
				{Index: 6, DurationS: 0.21, LongestStallS: 0.13, Algorithm: "INSTANT", VerifiedAlg: "INSTANT"},
				// Galera under TOI: no lock wait, but a node's writer held
				// in the cluster's commit order (issue 14's false pass).
				// And one whose lock stall is the longer.
				{Index: 7, DurationS: 3.1, Algorithm: "COPY", ClusterStall: &result.ClusterStall{S: 3.2, Node: "node-2", WaitedFor: "the cluster's commit order (TOI), not a lock"}},
				{Index: 8, DurationS: 3.1, LongestStallS: 0.8, Algorithm: "INPLACE", VerifiedLock: "NONE", ClusterStall: &result.ClusterStall{S: 0.3, Node: "node-3"}},
			},
		}},
		Rollback:  &result.Rollback{Attempted: true, Restores: false, Remaining: []string{"column t.c"}},
		AppCompat: &result.AppCompat{Checked: 3},
	}
	var gates []Gate
	for _, s := range []string{"max-writer-stall=1s", "max-lock-wait=1s", "max-blocked-writers=10", "max-p99=3x", "max-error-rate=1%", "max-total-duration=10s", "max-stall-share=50%", "rollback=required", "app-compat=required"} {
		g, err := ParseGate(s)
		if err != nil {
			t.Fatal(err)
		}
		gates = append(gates, g)
	}
	got := map[string]bool{}
	measured := map[string]string{}
	for _, g := range Evaluate(gates, r) {
		got[g.Name+"/"+g.Scope] = g.Passed
		measured[g.Name+"/"+g.Scope] = g.Measured
	}
	for k, want := range map[string]string{
		"max-writer-stall/2#1": "3.1s",
		"max-writer-stall/2#7": "3.2s on node-2: its writers waited for the cluster's commit order (TOI), not a lock",
		"max-writer-stall/2#8": "800ms",
		"max-stall-share/2#7":  "100% (3.2s stall on node-2: its writers waited for the cluster's commit order (TOI), not a lock, in 3.1s)",
	} {
		if measured[k] != want {
			t.Errorf("%s measured %q, want %q", k, measured[k], want)
		}
	}
	want := map[string]bool{
		"max-lock-wait/2#1": false, "max-lock-wait/2#2": true,
		"max-blocked-writers/2#1": true, "max-blocked-writers/2#2": true,
		"max-p99/2#1": false, "max-p99/2#2": true,
		"max-error-rate/total":     false, // 5 errors of 205 = 2.4%
		"max-total-duration/total": false, // 12 s > 10 s
		"rollback/total":           false,
		"app-compat/total":         true,
		"max-stall-share/2#3":      false, // 93%
		"max-stall-share/2#4":      true,  // 5%
		"max-writer-stall/2#1":     false, // 3.1 s
		"max-writer-stall/2#2":     true,
		"max-writer-stall/2#7":     false, // node-2's 3.2 s, no lock
		"max-writer-stall/2#8":     true,  // the lock monitor's 0.8 s
		"max-stall-share/2#7":      false, // 100%
	}
	for _, k := range []string{"max-stall-share/2#1", "max-stall-share/2#2", "max-stall-share/2#5", "max-stall-share/2#6"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s judged: no stall, one under the %s floor, or work that does not grow with the table", k, StallShareFloor)
		}
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: passed=%v (present %v), want %v", k, g, ok, v)
		}
	}
}

// Issue 12 item 5: the defaults apply whatever else is given; NAME=LIMIT
// replaces one, NAME=off removes it; the settings list every one.
func TestEffectiveGates(t *testing.T) {
	names := func(gs []Gate) string {
		var out []string
		for _, g := range gs {
			out = append(out, g.Name+"="+g.Limit)
		}
		return strings.Join(out, " ")
	}
	gates, settings := EffectiveGates(nil)
	if got := names(gates); got != "max-writer-stall=5s max-lock-wait=30s max-stall-share=50% app-compat=required" {
		t.Errorf("defaults: %s", got)
	}
	for _, s := range settings {
		if !s.Default {
			t.Errorf("setting %+v: want default", s)
		}
	}
	var given []Gate
	for _, s := range []string{"max-writer-stall=2s", "app-compat=off", "rollback=required"} {
		g, err := ParseGate(s)
		if err != nil {
			t.Fatal(err)
		}
		given = append(given, g)
	}
	gates, settings = EffectiveGates(given)
	if got := names(gates); got != "max-writer-stall=2s max-lock-wait=30s max-stall-share=50% rollback=required" {
		t.Errorf("with max-writer-stall=2s app-compat=off rollback=required: %s", got)
	}
	want := []result.GateSetting{{Name: "max-writer-stall", Limit: "2s"}, {Name: "max-lock-wait", Limit: "30s", Default: true},
		{Name: "max-stall-share", Limit: "50%", Default: true}, {Name: "app-compat", Limit: "off"}, {Name: "rollback", Limit: "required"}}
	if len(settings) != len(want) {
		t.Fatalf("settings %+v, want %+v", settings, want)
	}
	for i := range want {
		if settings[i] != want[i] {
			t.Errorf("setting %d: %+v, want %+v", i, settings[i], want[i])
		}
	}
	if g, err := ParseGate("max-p99=off"); err != nil || !g.Off {
		t.Errorf("max-p99=off: %+v %v", g, err)
	}
	// A default app-compat gate passes a release with nothing applied; one
	// asked for fails it (it could not check).
	r := &result.Report{}
	d, _ := EffectiveGates(nil)
	for _, g := range Evaluate(d, r) {
		if g.Name == "app-compat" && !g.Passed {
			t.Errorf("default app-compat on a report without the check: %+v", g)
		}
	}
	req, _ := ParseGate("app-compat=required")
	if res := Evaluate([]Gate{req}, r); len(res) != 1 || res[0].Passed {
		t.Errorf("app-compat=required without the check: %+v, want a failure", res)
	}
}

func TestParseInjection(t *testing.T) {
	in, err := ParseInjection("long-txn=investments:5s@20240102")
	if err != nil || in.Table != "investments" || in.Duration.Seconds() != 5 || in.Version != "20240102" {
		t.Fatalf("%+v %v", in, err)
	}
	in, err = ParseInjection("fail-at=3:2")
	if err != nil || in.Version != "3" || in.N != 2 {
		t.Fatalf("%+v %v", in, err)
	}
	for _, bad := range []string{"long-txn=t", "long-txn=t:-1s", "fail-at=3:0", "explode=1"} {
		if _, err := ParseInjection(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte("snapshot: prod.json\nscale: 0.1\ngates:\n  max-lock-wait: 5s\n  app-compat: off\ninject: [\"long-txn=t:2s\"]\nrules:\n  RH101: off\n"))
	if err != nil || c.Scale != 0.1 || c.Gates["max-lock-wait"] != "5s" {
		t.Fatalf("%+v %v", c, err)
	}
	for _, bad := range []string{"gates:\n  max-lock-wiat: 5s\n", "scael: 1\n", "lock_wait_timeout: forever\n"} {
		if _, err := ParseConfig([]byte(bad)); err == nil || !strings.Contains(err.Error(), "") {
			t.Errorf("%q: want an error", bad)
		}
	}
}
