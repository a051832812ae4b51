package reports

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/result"
)

// A long rehearsal's timeline (one hour: 36,000 points) is drawn with at
// most a few points per pixel column, so the page stays small, and a
// one-bucket spike survives the thinning.
func TestTimelineThinsLongRuns(t *testing.T) {
	r := loadFixture(t, "pass")
	r.Timeline = nil
	for i := 0; i < 36_000; i++ {
		p := result.TimePoint{T: float64(i) / 10, Throughput: 200, P50Ms: 2, P99Ms: 6}
		if i == 20_000 {
			p.P99Ms, p.Blocked, p.Waiters = 30_000, 40, 41
		}
		r.Timeline = append(r.Timeline, p)
	}
	svg := timelineSVG(r)
	if len(svg) > 200_000 {
		t.Errorf("the timeline SVG is %d bytes for 36,000 points", len(svg))
	}
	// The spike is still the panel's maximum: the y axis reaches 30 s (log
	// scale decades up to 100 s).
	if !strings.Contains(svg, ">100s</text>") {
		t.Error("the p99 spike was thinned away (no 100s decade on the latency axis)")
	}
	if !strings.Contains(svg, ">40</text>") {
		t.Error("the blocked-writers spike was thinned away (no 40 tick)")
	}
}
