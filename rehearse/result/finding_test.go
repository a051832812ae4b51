package result

import (
	"testing"

	"github.com/rehearse/rehearse/rehearse/codes"
)

// Configure: rehearse.yaml's overrides reach the rehearsal's and the
// capacity check's findings (RUN and CAP codes), not only the plan's.
func TestConfigure(t *testing.T) {
	var o codes.Overrides
	if err := o.Set(codes.AppCompat, "error", false); err != nil {
		t.Fatal(err)
	}
	if err := o.Set(codes.CapNoPredict, "", true); err != nil {
		t.Fatal(err)
	}
	fs := []Finding{Finding{}.Of(codes.AppCompat), Finding{}.Of(codes.CapNoPredict), Finding{}.Of(codes.LockWait)}
	got := Configure(fs, &o)
	if len(got) != 2 || got[0].Code != codes.AppCompat || got[0].Severity != "error" || got[1].Code != codes.LockWait || got[1].Severity != "warning" {
		t.Errorf("Configure: %+v", got)
	}
	if n := len(Configure([]Finding{Finding{}.Of(codes.LockWait)}, nil)); n != 1 {
		t.Errorf("nil overrides dropped a finding")
	}
}
