package scenarios

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/run"
)

// BenchmarkFlagship rehearses the flagship scenario at its default scale
// (what `make demo` runs), unsafe then fixed, on the first test target, and
// prints each phase's time and the figures the scenario is about: the DDL's
// lock wait and the writers' longest stall against the injected
// transaction, the index builds' durations, p99 during each statement as a
// ratio of the baseline's.
func BenchmarkFlagship(b *testing.B) {
	s := Flagship()
	target := testserver.Targets()[0]
	for _, variant := range []string{Unsafe, Fixed} {
		b.Run(variant, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ctx := context.Background()
				p, err := Prepare(ctx, s, PrepareOptions{Variant: variant, Engine: target.Engine, EngineOptions: target.Options, TempDir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				rep, err := run.Run(ctx, p.Options)
				total := time.Since(start)
				p.Close()
				if err != nil {
					b.Fatal(err)
				}
				fmt.Printf("%s/%s at scale %g (%d rows) on %s %s: verdict %s in %.1f s\n", s.Name, variant,
					rep.Inputs.Scale, rep.Inputs.Rows, rep.Inputs.Flavor, rep.Inputs.Version, rep.Verdict, total.Seconds())
				for _, ph := range rep.Phases {
					fmt.Printf("  phase %-10s %6.2f s\n", ph.Name, ph.Duration)
				}
				base := 0.0
				if rep.Baseline != nil {
					base = rep.Baseline.P99Ms
					fmt.Printf("  baseline: %.0f ops/s, p99 %.1f ms\n", rep.Baseline.Throughput, base)
				}
				for _, m := range rep.Migrations {
					for _, st := range m.Statements {
						ratio := "-"
						if st.During != nil && base > 0 {
							ratio = fmt.Sprintf("%.1fx", st.During.P99Ms/base)
						}
						fmt.Printf("  %s#%d %-8s %6.2f s  lock wait %5.2f s  longest stall %5.2f s  writers blocked %d  p99 vs baseline %s\n",
							m.Version, st.Index, m.Status, st.DurationS, st.LockWaitS, st.LongestStallS, st.WritersBlocked, ratio)
					}
				}
				b.ReportMetric(total.Seconds(), "s/rehearsal")
			}
		})
	}
}
