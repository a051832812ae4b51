package plan

import (
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
)

// BenchmarkPlanMattermost times `rehearse plan` on the 120 Mattermost
// migrations against an empty production (all pending): schema-only
// sandbox start, restore, replay with the ALGORITHM ladder, rules. The
// calibration is cached (measured once, before the timer). Goal: <= 5 s.
// Each iteration also plans once with the sandbox on disk (the baseline
// before engine.Options.Memory) and reports the ratio, and the phases of
// the in-memory run.
func BenchmarkPlanMattermost(b *testing.B) {
	set := loadMattermost(b)
	target := testserver.LocalMariaDB()
	srv := testserver.Start(b, target)
	applyUps(b, srv, "mattermost", set, 0)
	snap := capture(b, srv, "mattermost")
	planVerified(b, target, snap, set, nil) // warms the template and calibration caches
	defer func() { sandboxInMemory = true }()
	b.ResetTimer()
	var mem, disk, start, restore, replay float64
	for i := 0; i < b.N; i++ {
		sandboxInMemory = true
		t0 := time.Now()
		p := planVerified(b, target, snap, set, nil)
		mem += time.Since(t0).Seconds()
		if len(p.Pending) != 120 || p.Sandbox == nil || !p.Sandbox.Memory {
			b.Fatalf("%d pending, sandbox %+v", len(p.Pending), p.Sandbox)
		}
		start += p.Sandbox.StartSeconds
		restore += p.Sandbox.RestoreSeconds
		replay += p.Sandbox.ReplaySeconds
		b.StopTimer()
		sandboxInMemory = false
		t0 = time.Now()
		planVerified(b, target, snap, set, nil)
		disk += time.Since(t0).Seconds()
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(mem/n, "s/plan")
	b.ReportMetric(disk/n, "s/plan-disk")
	b.ReportMetric(disk/mem, "x-vs-disk")
	b.ReportMetric(start/n, "s-start")
	b.ReportMetric(restore/n, "s-restore")
	b.ReportMetric(replay/n, "s-replay")
}
