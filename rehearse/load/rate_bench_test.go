package load_test

import (
	"context"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse/load"
)

// BenchmarkMaxWriteRate finds the load generator's highest sustainable
// write rate on this machine (generator and server sharing the cores):
// first the closed-loop capacity of 8 connections, then open-loop runs at
// rising rates (1,000 writes/s and up) below it; sustained means ≥ 98% of the target completed
// (p99 is reported beside it: on a shared machine it measures the
// neighbours as much as the generator). The server commits without fsync per transaction
// (innodb_flush_log_at_trx_commit=2): the figure is the generator's and
// the CPU's, not the disk's. Run with -benchtime=1x.
func BenchmarkMaxWriteRate(b *testing.B) {
	db, tb := setup(b, 20000)
	if _, err := db.Exec("SET GLOBAL innodb_flush_log_at_trx_commit = 2"); err != nil {
		b.Fatal(err)
	}
	p, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: tb}}, load.Mix{Insert: 1, Update: 1})
	if err != nil {
		b.Fatal(err)
	}
	const d = 4 * time.Second
	for i := 0; i < b.N; i++ {
		g, err := load.New(db, p, load.Options{ClosedLoop: true, ConnsPerTable: 8})
		if err != nil {
			b.Fatal(err)
		}
		capacity, _ := trial(b, g, d)
		best, bestP99 := 0.0, time.Duration(0)
		for _, target := range []float64{1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000} {
			if target > capacity {
				break
			}
			f := target / capacity
			g, err := load.New(db, p, load.Options{Rate: target})
			if err != nil {
				b.Fatal(err)
			}
			got, p99 := trial(b, g, d)
			ok := got >= 0.98*target
			b.Logf("open loop at %.0f writes/s (%.0f%% of capacity): %.0f/s, p99 %v, sustained %v", target, 100*f, got, p99, ok)
			if !ok {
				break
			}
			best, bestP99 = target, p99
		}
		b.ReportMetric(capacity, "closed-loop-writes/s")
		b.ReportMetric(best, "max-sustained-writes/s")
		b.ReportMetric(float64(bestP99)/float64(time.Millisecond), "p99-ms-at-max")
	}
}

// trial runs g for d and returns the write rate and p99 after a 0.5 s
// warm-up.
func trial(b *testing.B, g *load.Generator, d time.Duration) (float64, time.Duration) {
	if err := g.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	time.Sleep(d)
	r := g.Stop()
	w := r.Window(r.Started.Add(500*time.Millisecond), r.Started.Add(d))
	return w.Writes.Throughput, w.Writes.P99
}
