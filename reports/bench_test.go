package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/result"
)

// TestBenchReports prints how long each format takes to render a large
// report (200 migrations, 400 statements, a one-hour timeline of 36,000
// points) and its size, as a ratio to plain JSON encoding of the same
// document measured in the same run. Run by scripts/bench.d/reports.sh
// (REHEARSE_BENCH=1).
func TestBenchReports(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/reports.sh")
	r := bigReport(t, 200)
	r.Timeline = nil
	for i := 0; i < 36_000; i++ {
		r.Timeline = append(r.Timeline, result.TimePoint{T: float64(i) / 10, Throughput: 200 + float64(i%7), P50Ms: 2, P99Ms: 6 + float64(i%11), Waiters: i % 3, Blocked: i % 2})
	}
	measure := func(f func() int) (time.Duration, int) {
		const n = 5
		var best time.Duration
		size := 0
		for i := 0; i < n; i++ {
			start := time.Now()
			size = f()
			if d := time.Since(start); best == 0 || d < best {
				best = d
			}
		}
		return best, size
	}
	base, baseSize := measure(func() int { b, _ := json.Marshal(r); return len(b) })
	fmt.Printf("BENCH reports baseline json.Marshal %s %d bytes (400 statements, 36,000 timeline points)\n", base.Round(time.Millisecond), baseSize)
	for _, f := range Formats() {
		d, size := measure(func() int {
			var b bytes.Buffer
			if err := Render(&b, f.Name, r, Options{}); err != nil {
				t.Fatal(err)
			}
			return b.Len()
		})
		fmt.Printf("BENCH reports %-5s %8s  %.1fx json.Marshal  %9d bytes (%.2fx)\n", f.Name, d.Round(time.Millisecond), float64(d)/float64(base), size, float64(size)/float64(baseSize))
	}
}
