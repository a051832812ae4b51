package plan

import (
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
)

// TestMattermostPlanAgreement: production at migration 60 (snapshot of a
// real server), the remaining 60 planned and verified on a schema-only
// sandbox, on every test target (MariaDB 10.11, MySQL 9.7, MariaDB 11.8):
// every ALTER the server verified must agree with the rule table. It takes
// 20-90 s per target on a shared 2-core machine: REHEARSE_LONG=1 runs it.
func TestMattermostPlanAgreement(t *testing.T) {
	testserver.Long(t)
	set := loadMattermost(t)
	for _, target := range testserver.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			srv := testserver.Start(t, target)
			applyUps(t, srv, "mattermost", set, 60)
			snap := capture(t, srv, "mattermost")
			p := planVerified(t, target, snap, set, nil)
			if p.History == nil || p.History.Runner != "morph" || len(p.Pending) != 60 {
				t.Fatalf("history %+v, %d pending", p.History, len(p.Pending))
			}
			for _, f := range p.Findings {
				t.Logf("%s %s %s:%d %s", f.Severity, f.Code, f.File, f.Line, f.Message)
			}
			verified := 0
			each(p, func(pm *PendingMigration, sp *StatementPlan) {
				if sp.Verified == nil || sp.Verified.Algorithm == "" || sp.Predicted == nil {
					return
				}
				verified++
				if !sp.Verified.Agrees {
					t.Errorf("disagreement: %s predicted %+v verified %s/%s", describe(sp), *sp.Predicted, sp.Verified.Algorithm, sp.Verified.Lock)
				}
			})
			if verified == 0 {
				t.Fatal("no ALTER verified")
			}
			if p.Sandbox.Failed > 0 {
				t.Errorf("%d statements failed on the sandbox", p.Sandbox.Failed)
			}
			t.Logf("%s %s: %d ALTERs verified; summary %+v sandbox %+v", p.Sandbox.Flavor, p.Sandbox.Version, verified, p.Summary, p.Sandbox)
		})
	}
}
