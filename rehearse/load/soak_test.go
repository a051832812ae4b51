//go:build soak

package load_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/load"
)

// TestSoak runs 2,000 writes/s for REHEARSE_SOAK_DURATION (default 10m)
// and checks that memory stays flat apart from what the generator keeps
// on purpose for the report — the op log (16 bytes per operation) and the
// per-interval summaries (one per 100 ms, at most twice their size while
// the slice grows) — that the rate holds, and that no goroutine
// or server connection is left behind. Build tag soak:
//
//	REHEARSE_SOAK_DURATION=1m go test -tags soak -run Soak -v ./rehearse/load/
func TestSoak(t *testing.T) {
	dur := 10 * time.Minute
	if s := os.Getenv("REHEARSE_SOAK_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("REHEARSE_SOAK_DURATION=%q: %v", s, err)
		}
		dur = d
	}
	const rate = 2000.0
	db, tb := setup(t, 100000)
	if _, err := db.Exec("SET GLOBAL innodb_flush_log_at_trx_commit = 2"); err != nil {
		t.Fatal(err)
	}
	p, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: tb}}, load.Mix{Insert: 1, Update: 1, Delete: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	threads := func() int {
		var name string
		var n int
		if err := db.QueryRow("SHOW GLOBAL STATUS LIKE 'Threads_connected'").Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	connsBefore, goBefore, idleBefore := threads(), runtime.NumGoroutine(), db.Stats().Idle
	g, err := load.New(db, p, load.Options{Rate: rate})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	step := dur / 20
	var base uint64
	var baseOps, baseIvs int64
	ivSize := int64(unsafe.Sizeof(load.Interval{}))
	var maxExcess int64
	for i := 1; i <= 20; i++ {
		time.Sleep(step)
		h := heap()
		var ops int64
		ivs := g.Intervals()
		for _, iv := range ivs {
			ops += iv.Writes.Ops + iv.Reads.Ops
		}
		if i == 2 { // after warm-up: pools full, histograms allocated
			base, baseOps, baseIvs = h, ops, int64(len(ivs))
			continue
		}
		if i > 2 {
			// Growth beyond the op log and the interval summaries.
			excess := int64(h) - int64(base) - 16*(ops-baseOps) - 2*ivSize*(int64(len(ivs))-baseIvs)
			if excess > maxExcess {
				maxExcess = excess
			}
			t.Logf("%v: heap %.1f MB, %d ops, growth beyond op log and intervals %+.1f MB, %d goroutines, %d server connections",
				time.Duration(i)*step, float64(h)/1e6, ops, float64(excess)/1e6, runtime.NumGoroutine(), threads())
		}
	}
	res := g.Stop()
	elapsed := res.Stopped.Sub(res.Started)
	achieved := float64(res.Writes.Ops) / elapsed.Seconds()
	if achieved < 0.98*rate {
		t.Errorf("achieved %.0f writes/s of %.0f", achieved, rate)
	}
	if maxExcess > 8<<20 {
		t.Errorf("memory grew %.1f MB beyond the op log and intervals", float64(maxExcess)/1e6)
	}
	// The pool keeps a few idle connections (each with the driver's
	// watcher goroutine): those are the pool's, not a leak. Closed
	// connections take a moment to leave the server: wait for it.
	testserver.WaitFor(t, 30*time.Second, "server connections and goroutines back to before the run (+ the pool's idle ones)", func() bool {
		st := db.Stats()
		idle := st.Idle - idleBefore
		return st.InUse == 0 && threads() <= connsBefore+idle && runtime.NumGoroutine() <= goBefore+idle
	})
	st := db.Stats()
	idle := st.Idle - idleBefore
	if st.InUse > 0 {
		t.Errorf("%d pool connections still in use after Stop", st.InUse)
	}
	if n := threads(); n > connsBefore+idle {
		t.Errorf("%d server connections after the run, %d before (+%d idle in the pool)", n, connsBefore, idle)
	}
	if n := runtime.NumGoroutine(); n > goBefore+idle {
		t.Errorf("%d goroutines after the run, %d before (+%d idle pool connections)", n, goBefore, idle)
	}
	t.Logf("soak %v at %.0f writes/s: achieved %.0f/s, p50 %v p99 %v max %v, errors %v, op log %d ops, max growth beyond op log and intervals %.1f MB",
		elapsed.Round(time.Second), rate, achieved, res.Writes.P50, res.Writes.P99, res.Writes.Max, res.Writes.Classes.Map(),
		res.Writes.Ops+res.Reads.Ops, float64(maxExcess)/1e6)
}
