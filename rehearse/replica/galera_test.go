package replica_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/replica"
)

// galeraTarget is the host's MariaDB with galera-4, or the test ends
// through testserver.Missing.
func galeraTarget(t *testing.T) testserver.Target {
	t.Helper()
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	if err := replica.GaleraSupported(context.Background(), target.Engine, target.Options); err != nil {
		testserver.Missing(t, err.Error(), "apt-get install galera-4 (scripts/setup.sh installs it)")
	}
	return target
}

// TestGaleraDDLStallsEveryNode starts a 3-node Galera cluster of the host's
// MariaDB 10.11 from one filled datadir, runs writers on every node and a
// table-copying ALTER of a table none of them writes on node 1: under TOI
// every node's writers stall for about the ALTER's run (docs/replicas.md's
// by-hand table), under RSU only node 1's.
func TestGaleraDDLStallsEveryNode(t *testing.T) {
	target := galeraTarget(t)
	for _, method := range []string{"TOI", "RSU"} {
		t.Run(method, func(t *testing.T) {
			topo := provision(t, target, replica.Plan{Galera: 3, OSUMethod: method, Mode: replica.Galera}, 150000)
			if len(topo.Nodes()) != 3 {
				t.Fatalf("%d nodes, want 3", len(topo.Nodes()))
			}
			w := replica.NewNodeWriters(topo)
			ctx := context.Background()
			if err := w.Setup(ctx); err != nil {
				t.Fatal(err)
			}
			if err := w.Start(ctx); err != nil {
				t.Fatal(err)
			}
			db, err := topo.Primary.Server.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			time.Sleep(time.Second)
			t0 := time.Now()
			testserver.Exec(t, db, "ALTER TABLE app.items ADD COLUMN note varchar(20) NULL, ALGORITHM=COPY")
			t1 := time.Now()
			mark := w.Mark(ctx, t0, t1)
			time.Sleep(500 * time.Millisecond)
			writes := w.Stop()
			alter := t1.Sub(t0)
			stalls := replica.StallsIn(topo, writes, mark)
			t.Logf("the other nodes had applied it %v after node-1", []time.Duration{reachedAfter(mark, 0), reachedAfter(mark, 1)})
			for _, s := range stalls {
				t.Logf("%s: ALTER %s on node-1; %d writes, %d slow, %d failed, longest %s", s.Node, alter.Round(time.Millisecond), s.Writes, s.Slow, s.Errors, s.Longest.Round(time.Millisecond))
				if s.Writes == 0 {
					t.Fatalf("%s: no write overlapped the ALTER", s.Node)
				}
			}
			// The ALTER must take long enough to tell a stall from the
			// machine's noise (a write every 10 ms, 100 ms = slow).
			if alter < 3*replica.SlowWrite {
				t.Fatalf("the ALTER took %s: too short to judge a stall; grow the table", alter)
			}
			for i, s := range stalls {
				stalled := s.Longest >= alter/2
				want := method == "TOI" || i == 0
				if stalled != want {
					t.Errorf("%s: longest write %s during an ALTER of %s under %s: stalled=%v, want %v", s.Node, s.Longest.Round(time.Millisecond), alter.Round(time.Millisecond), method, stalled, want)
				}
			}
			// Under RSU the change stays on node 1.
			for _, n := range topo.Replicas {
				ndb, err := n.Server.Open("")
				if err != nil {
					t.Fatal(err)
				}
				var c int
				if err := ndb.QueryRow("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema='app' AND table_name='items' AND column_name='note'").Scan(&c); err != nil {
					t.Fatal(err)
				}
				ndb.Close()
				if want := map[string]int{"TOI": 1, "RSU": 0}[method]; c != want {
					t.Errorf("%s has the new column %d time(s), want %d under %s", n.Name, c, want, method)
				}
			}
		})
	}
}

func reachedAfter(m *replica.NodeMark, i int) time.Duration {
	if m.Reached[i].IsZero() {
		return -1
	}
	return m.Reached[i].Sub(m.End).Round(time.Millisecond)
}

// GaleraSupported refuses what cannot start a cluster here, saying so:
// the dsn engine (the message names the engines that can) and MySQL.
func TestGaleraSupportedRefuses(t *testing.T) {
	ctx := context.Background()
	err := replica.GaleraSupported(ctx, &engine.DSN{}, engine.Options{Flavor: engine.MariaDB})
	if err == nil || !strings.Contains(err.Error(), "local or docker engine only") || !strings.Contains(err.Error(), "dsn") {
		t.Errorf("dsn engine: %v", err)
	}
	for _, e := range []engine.Engine{&engine.Local{}, &engine.Docker{}} {
		err = replica.GaleraSupported(ctx, e, engine.Options{Flavor: engine.MySQL})
		if err == nil || !strings.Contains(err.Error(), "MariaDB") {
			t.Errorf("MySQL on the %s engine: %v", e.Name(), err)
		}
	}
}
