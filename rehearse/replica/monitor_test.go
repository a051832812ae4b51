package replica_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/replica"
)

// writer inserts into app.log on the primary every 10 ms until stopped:
// the application's writes that replicate behind a DDL.
func writer(t *testing.T, db *sql.DB) (stop func() int) {
	t.Helper()
	mustExec(t, db, "CREATE TABLE IF NOT EXISTS app.log (id bigint PRIMARY KEY AUTO_INCREMENT, at datetime(6) NOT NULL)")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	n := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, err := db.ExecContext(ctx, "INSERT INTO app.log (at) VALUES (NOW(6))"); err == nil {
				n++
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() int { cancel(); wg.Wait(); return n }
}

// runStatement runs stmt on its own connection of the primary and marks
// it.
func runStatement(t *testing.T, ctx context.Context, topo *replica.Topology, mon *replica.Monitor, db *sql.DB, label, stmt string) (*replica.Mark, time.Duration) {
	t.Helper()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.ExecContext(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	end := time.Now()
	mk, err := mon.Mark(ctx, label, stmt, start, end, topo.StatementGTID(ctx, conn))
	if err != nil {
		t.Fatal(err)
	}
	return mk, end.Sub(start)
}

// TestMonitorCopyAlterLag: a table-copying ALTER that takes T on the
// primary under writes leaves the replica about T behind by the heartbeat
// (at least the replica's own apply time of it, measured by the server),
// caught up after it; an INSTANT ADD COLUMN leaves it under a second.
func TestMonitorCopyAlterLag(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			topo := provision(t, target, replica.Plan{Replicas: 1, Mode: replica.Async, GTID: true, ParallelWorkers: -1})
			p, err := topo.Primary.Server.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			mustExec(t, p, fmt.Sprintf("INSERT INTO app.items (name, qty) SELECT CONCAT('m', seq), seq FROM (%s) s", seqQuery(300000)))
			mon := replica.NewMonitor(topo, replica.MonitorOptions{Log: logWriter{t}})
			if err := mon.Setup(ctx); err != nil {
				t.Fatal(err)
			}
			if err := mon.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer mon.Stop()
			stop := writer(t, p)
			time.Sleep(time.Second)
			_, copyT := runStatement(t, ctx, topo, mon, p, "copy", "ALTER TABLE app.items ADD COLUMN c1 int, ALGORITHM=COPY")
			if behind, err := mon.CatchUp(ctx, 5*time.Minute); err != nil || len(behind) > 0 {
				t.Fatalf("catch up: %v %v", behind, err)
			}
			time.Sleep(time.Second)
			_, instantT := runStatement(t, ctx, topo, mon, p, "instant", "ALTER TABLE app.items ADD COLUMN c2 int, ALGORITHM=INSTANT")
			if behind, err := mon.CatchUp(ctx, 5*time.Minute); err != nil || len(behind) > 0 {
				t.Fatalf("catch up: %v %v", behind, err)
			}
			writes := stop()
			res := mon.Stop()
			if len(res.Errors) > 0 {
				t.Fatalf("monitor errors: %v", res.Errors)
			}
			cf, inf := res.Figures(0)[0], res.Figures(2)[0]
			t.Logf("COPY: primary %s; replica peak lag %s at +%s, caught up %s after, applier %s (%s), queued %v; %d writes",
				copyT.Round(time.Millisecond), cf.PeakLag.Round(time.Millisecond), cf.PeakAt.Sub(res.Marks[0].End).Round(time.Millisecond),
				cf.CaughtUp.Round(time.Millisecond), cf.Apply().Round(time.Millisecond), cf.ApplySource, cf.Queued, writes)
			t.Logf("INSTANT: primary %s; replica peak lag %s, caught up %s after, applier %s (%s)",
				instantT.Round(time.Millisecond), inf.PeakLag.Round(time.Millisecond), inf.CaughtUp.Round(time.Millisecond), inf.Apply().Round(time.Millisecond), inf.ApplySource)
			if cf.ApplySource == "" {
				t.Errorf("the replica's applier time on the COPY was not measured")
			}
			// Ground truth: the replica cannot apply the statement before
			// the primary committed it, and applying it takes the
			// server-measured apply time: the heartbeat lag peaks at least
			// there (less one heartbeat and one read).
			if want := cf.Apply() - 2*res.Interval; cf.PeakLag < want {
				t.Errorf("COPY: peak lag %s < the replica's own apply time %s less two intervals", cf.PeakLag, cf.Apply())
			}
			if !cf.Queued {
				t.Errorf("COPY: the writes after it did not queue behind it on the replica")
			}
			if inf.PeakLag >= time.Second {
				t.Errorf("INSTANT: peak lag %s, want < 1s", inf.PeakLag)
			}
		})
	}
}
