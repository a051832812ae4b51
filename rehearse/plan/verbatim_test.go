package plan

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
)

const verbatimDir = "testdata/verbatim"

// VerbatimRejected is, per flavor, the error number each migration of
// testdata/verbatim fails with when sent as written (0: it applies),
// verified by hand with the mariadb client on MariaDB 10.11.19 and
// MySQL 9.7.4. Shared with TestPlanAndRunAgree.
var verbatimRejected = map[string]map[string]int{
	"mariadb": {
		"000001": 1064, // DROP INDEX ... LOCK = NONE: MariaDB's DROP INDEX takes no ALGORITHM/LOCK clause
		"000005": 1846, // MODIFY to BIGINT with ALGORITHM=INPLACE: a type change copies
		"000006": 1846, // ADD INDEX with ALGORITHM=INSTANT
		"000007": 1846, // CREATE INDEX ... ALGORITHM=INSTANT
		"000008": 1846, // COPY with LOCK=NONE
	},
	"mysql": {
		"000002": 1064, // ADD COLUMN IF NOT EXISTS is MariaDB's
		"000003": 1064, // CREATE OR REPLACE TABLE is MariaDB's
		"000004": 1064, // ALTER ONLINE TABLE is MariaDB's
		"000005": 1846,
		"000006": 1845,
		"000007": 1845,
		"000008": 1846,
	},
}

// TestReplayVerbatim: `rehearse plan` sends each statement to the
// schema-only sandbox exactly as the runner will (its own ALGORITHM/LOCK
// clauses and flavor-specific syntax included): a statement the server
// rejects is an error finding with the server's error number and message,
// file and line; one it accepts is none. The ALGORITHM/LOCK ladder runs on
// a copy, after, and still verifies what applied.
func TestReplayVerbatim(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			target.Options.Memory = true
			srv := testserver.Start(t, target)
			applyFile(t, srv, "app", filepath.Join(verbatimDir, "setup.sql"))
			snap := capture(t, srv, "app")
			if err := srv.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			set, err := migrations.Load(context.Background(), migrations.Options{Dir: filepath.Join(verbatimDir, "migrations")})
			if err != nil {
				t.Fatal(err)
			}
			p := planVerified(t, target, snap, set, nil)
			want := verbatimRejected[string(target.Options.Flavor)]
			if want == nil {
				t.Fatalf("no expectations for flavor %q", target.Options.Flavor)
			}
			for _, pm := range p.Pending {
				sp := pm.Statements[0]
				code := want[pm.Version]
				var f *Finding
				for i := range p.Findings {
					for _, pl := range p.Findings[i].Places() {
						if pl.Migration == pm.Key && p.Findings[i].Severity == SevError {
							one := p.Findings[i]
							one.Migration, one.File, one.Line = pl.Migration, pl.File, pl.Line
							if pl.Message != "" {
								one.Message = pl.Message
							}
							f = &one
						}
					}
				}
				switch {
				case code == 0 && (sp.Replay == nil || !sp.Replay.OK):
					t.Errorf("%s %q: the server accepts it as written, but the plan says %+v", pm.Version, sp.SQL, sp.Replay)
				case code == 0 && f != nil:
					t.Errorf("%s %q: the server accepts it, but the plan reports %s: %s", pm.Version, sp.SQL, f.Code, f.Message)
				case code != 0 && (sp.Replay == nil || sp.Replay.OK || sp.Replay.Error != code):
					t.Errorf("%s %q: the server rejects it with %d, but the plan's replay says %+v", pm.Version, sp.SQL, code, sp.Replay)
				case code != 0 && f == nil:
					t.Errorf("%s %q: rejected with %d but no error finding", pm.Version, sp.SQL, code)
				case code != 0:
					if f.Code != codes.ReplayFailed || f.File != sp.File || f.Line != sp.Line || !strings.Contains(f.Message, sp.Replay.Message) || !strings.Contains(f.Message, "error "+strconv.Itoa(code)) {
						t.Errorf("%s: finding %s at %s:%d %q: want %s at %s:%d naming error %d and the server's message %q",
							pm.Version, f.Code, f.File, f.Line, f.Message, codes.ReplayFailed, sp.File, sp.Line, code, sp.Replay.Message)
					}
				}
			}
			if p.Sandbox == nil || p.Sandbox.Failed != len(want) {
				t.Errorf("sandbox %+v: want %d failed", p.Sandbox, len(want))
			}
			// What applied is still verified by the ladder (on the copy).
			for _, v := range []string{"000009", "000010"} {
				for _, pm := range p.Pending {
					if pm.Version == v {
						if ver := pm.Statements[0].Verified; ver == nil || ver.Algorithm == "" {
							t.Errorf("%s %q: not verified (%+v)", v, pm.Statements[0].SQL, ver)
						}
					}
				}
			}
		})
	}
}
