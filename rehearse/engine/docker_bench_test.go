package engine_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
)

// TestBenchEngineStartup measures engine start-up to the first query
// (Start, then SELECT 1 on a new connection), median of 5 after one warm-up
// start (which fills the local engine's template cache), for every engine
// and server this machine has; ratios are against the host MariaDB's local
// sandbox of the same run. Run by scripts/bench.d/engines.sh
// (REHEARSE_BENCH=1); skipped otherwise.
func TestBenchEngineStartup(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/engines.sh")
	const runs = 5
	type target struct {
		name string
		eng  engine.Engine
		opts engine.Options
	}
	local := &engine.Local{CacheDir: testserver.CacheDir()}
	targets := []target{
		{"local mariadb 10.11 (host binary)", local, engine.Options{Flavor: engine.MariaDB, Version: "10.11"}},
	}
	for _, tg := range []testserver.Target{testserver.LocalMySQL(), testserver.LocalMariaDB118()} {
		if _, err := os.Stat(tg.Options.Rootfs); err == nil {
			targets = append(targets, target{fmt.Sprintf("local %s %s (rootfs, chroot)", tg.Options.Flavor, tg.Options.Version), local, tg.Options})
		}
	}
	if info := engine.DockerStatus(context.Background(), os.Getenv("DOCKER_HOST")); info.Reachable {
		d := &engine.Docker{Host: os.Getenv("DOCKER_HOST")}
		imgs, _ := d.Images(context.Background())
		for _, im := range imgs {
			if im.Local {
				targets = append(targets, target{"docker " + im.Ref, d, engine.Options{Flavor: im.Flavor, Version: im.Version}})
			}
		}
	} else {
		fmt.Printf("BENCH docker: skipped (%s)\n", info.Error)
	}
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("BENCH load average before: %s", la)
	}
	var baseline time.Duration
	for _, tg := range targets {
		if _, err := startToQuery(tg.eng, tg.opts); err != nil { // warm-up
			t.Errorf("%s: %v", tg.name, err)
			continue
		}
		var ds []time.Duration
		for i := 0; i < runs; i++ {
			d, err := startToQuery(tg.eng, tg.opts)
			if err != nil {
				t.Errorf("%s: %v", tg.name, err)
				break
			}
			ds = append(ds, d)
		}
		if len(ds) < runs {
			continue
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		med := ds[runs/2]
		if baseline == 0 {
			baseline = med
		}
		fmt.Printf("BENCH start-to-first-query %-40s median %6.2f s  (min %.2f, max %.2f, n=%d)  x%.1f of local mariadb\n",
			tg.name, med.Seconds(), ds[0].Seconds(), ds[runs-1].Seconds(), runs, float64(med)/float64(baseline))
	}
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("BENCH load average after: %s", la)
	}
}

// startToQuery starts a server, runs SELECT 1 on a new connection, stops it,
// and returns the time from Start to the answer.
func startToQuery(eng engine.Engine, opts engine.Options) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	t0 := time.Now()
	s, err := eng.Start(ctx, opts)
	if err != nil {
		return 0, err
	}
	defer s.Stop(context.Background())
	db, err := s.Open("")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}
