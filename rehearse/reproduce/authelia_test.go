package reproduce

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/evidence"
	"github.com/rehearse/rehearse/snapshot"
)

// TestAutheliaPileUp reads evidence captured on a real server
// (testdata/authelia-consent/README.md): a running reporting query is the
// blocker, not an idle transaction; an application INSERT on the same
// table, seen in the first capture and gone before the DDL started, is not
// one; the DDL's wait brackets what the deploy log measured.
func TestAutheliaPileUp(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"processlist.txt", "innodb-status.txt", "digests.tsv", "deploy.log"} {
		b, err := os.ReadFile(filepath.Join("testdata", "authelia-consent", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := evidence.Read(dir, evidence.Options{DeployPattern: regexp.MustCompile(`^(?P<time>\S+ \S+) deploy: (?P<event>applying|applied|failed) (?P<version>\d+)`)})
	if err != nil {
		t.Fatal(err)
	}
	snap := &snapshot.Snapshot{Schemas: []snapshot.Schema{{Name: "authelia", Tables: []snapshot.Table{{Name: "oauth2_consent_session"}, {Name: "cached_data"}, {Name: "migrations"}}}}}
	inc, problems, d := Analyze(ev, snap, "authelia", nil)
	if inc.DDL == nil || d.Table != "oauth2_consent_session" {
		t.Fatalf("DDL %+v on %q; problems %v", inc.DDL, d.Table, problems)
	}
	// The deploy log: V0022 ran 11.31 s, all of it but the ALTER's own
	// few milliseconds (and the runner's connection) waiting.
	if inc.DDL.WaitLoS > 11.31 || inc.DDL.WaitHiS < 11.0 {
		t.Errorf("the wait %.2f s (%.2f–%.2f), the deploy log's 11.31 s not within reach", inc.DDL.WaitS, inc.DDL.WaitLoS, inc.DDL.WaitHiS)
	}
	if len(inc.Blockers) != 1 || inc.Blockers[0].Session != 122 || inc.Blockers[0].TablesFrom != "statement" {
		t.Errorf("blockers %+v, want only session 122 (the SELECT ... SLEEP(14), from its statement)", inc.Blockers)
	}
	notes := strings.Join(d.Notes, "\n")
	if !strings.Contains(notes, "session 139") || !strings.Contains(notes, "not a blocker") {
		t.Errorf("no note says session 139 (an INSERT gone before the DDL started) is not a blocker:\n%s", notes)
	}
	if inc.Writers.Writers == 0 {
		t.Errorf("no writer queued: %+v", inc.Writers)
	}
}
