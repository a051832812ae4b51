package reports

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/result"
)

// The capacity chart's tooltips carry the replica lag, measured and
// predicted with its band, when the rehearsals had replicas; nothing
// otherwise.
func TestCapacitySVGReplicaLag(t *testing.T) {
	c := result.CapacityStatement{Model: "linear",
		Points: []result.CapacityPoint{
			{Scale: 0.01, Rows: 42000, DurationS: 0.2, ReplicaLagS: 0.22},
			{Scale: 0.03, Rows: 126000, DurationS: 0.6, ReplicaLagS: 0.64},
			{Scale: 0.1, Rows: 420000, DurationS: 2, ReplicaLagS: 2.1},
		},
		Predicted: result.Prediction{Rows: 4200000, DurationS: 20, DurationLo: 18, DurationHi: 22, ReplicaLagS: 21, ReplicaLagLo: 19, ReplicaLagHi: 23.1},
	}
	svg := capacitySVG(c)
	for _, want := range []string{"replica lag " + secs(2.1), "replica lag " + secs(21) + " (" + secs(19) + " to " + secs(23.1) + ")"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	c.Predicted.ReplicaLagS = 0
	for i := range c.Points {
		c.Points[i].ReplicaLagS = 0
	}
	if svg := capacitySVG(c); strings.Contains(svg, "replica lag") {
		t.Errorf("a chart without replicas mentions replica lag")
	}
}
