package run

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/result"
)

// Figures measured by TestCompareInstant (MariaDB 10.11.19, 20,000 rows,
// 8 writers on the table; the first recommendation rule got them wrong):
// an INSTANT ADD COLUMN waited 88 ms for its exclusive lock behind the
// writers in flight, so writers were blocked 66% of its 107 ms run; pt-osc,
// slowed by MariaDB's innodb_autoinc_lock_mode=1, blocked them 20% of its
// 2.05 s run with a 474 ms stall. A short statement's share is no
// measure of harm: native stalls writers less, and its stall does not grow
// with the table. The rule then ranked the share first and said pt-osc.
func TestRecommendInstantShortRun(t *testing.T) {
	same := true
	cs := &result.CompareStatement{By: []result.StrategyFigures{
		{Strategy: "native", Status: "ok", Algorithm: "INSTANT", DurationS: 0.107, BlockedShare: 0.665, BlockedShareOutsideCutOver: 0.665, LongestStallS: 0.088, CutOverStallS: 0.104, SchemaIdentical: &same},
		{Strategy: "pt-osc", Status: "ok", DurationS: 2.053, BlockedShare: 0.227, BlockedShareOutsideCutOver: 0.204, LongestStallS: 0.474, CutOverStallS: 0.085, SchemaIdentical: &same},
	}}
	got, why := recommend(cs)
	if got != "native" || !strings.HasPrefix(why, "native (INSTANT)") {
		t.Errorf("recommended %s: %s", got, why)
	}
}

// Measured by TestStrategyPTOSC on MariaDB 10.11.19 (300,000 rows): a
// blocking COPY whose stall grows with the table loses to pt-osc even when
// its stall at the rehearsal's scale is not much longer.
func TestRecommendBlockingCopy(t *testing.T) {
	same := true
	cs := &result.CompareStatement{By: []result.StrategyFigures{
		{Strategy: "native", Status: "ok", Algorithm: "COPY", DurationS: 0.908, BlockedShare: 0.95, BlockedShareOutsideCutOver: 0.95, LongestStallS: 0.891, CutOverStallS: 0.911, GrowsWithTable: true, SchemaIdentical: &same},
		{Strategy: "pt-osc", Status: "ok", DurationS: 3.437, BlockedShare: 0.05, BlockedShareOutsideCutOver: 0.045, LongestStallS: 0.191, CutOverStallS: 0.042, SchemaIdentical: &same},
	}}
	if got, why := recommend(cs); got != "pt-osc" || !strings.Contains(why, "grows with the table") {
		t.Errorf("recommended %s: %s", got, why)
	}
	differs := false
	cs.By[1].SchemaIdentical = &differs
	cs.By[1].SchemaDiff = []string{"+ CONSTRAINT `_fk_customer` ..."}
	if got, why := recommend(cs); got != "native" || !strings.Contains(why, "pt-osc left a different table") {
		t.Errorf("with pt-osc's table different: recommended %s: %s", got, why)
	}
}
