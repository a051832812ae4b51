package reproduce

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/evidence"
	"github.com/rehearse/rehearse/snapshot"
)

// toySnapshot is the schema of the captured pile-up (../evidence/testdata).
func toySnapshot() *snapshot.Snapshot {
	return &snapshot.Snapshot{Schemas: []snapshot.Schema{{Name: "app", Tables: []snapshot.Table{{Name: "investments"}}}}}
}

func evidenceOf(t *testing.T, files ...string) *evidence.Evidence {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("..", "evidence", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := evidence.Read(dir, evidence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestAnalyzeCapturedPileUp(t *testing.T) {
	for _, flavor := range []string{"mariadb", "mysql"} {
		t.Run(flavor, func(t *testing.T) {
			ev := evidenceOf(t, flavor+"/processlist.table.txt", flavor+"/innodbstatus.txt")
			inc, problems, d := Analyze(ev, toySnapshot(), "app", nil)
			if inc.DDL == nil || d.Table != "investments" {
				t.Fatalf("DDL %+v, table %q; problems %v", inc.DDL, d.Table, problems)
			}
			if !inc.DDL.Open || inc.DDL.WaitS < 1 {
				t.Errorf("the DDL was still waiting at the last capture: wait %+v", inc.DDL)
			}
			if len(inc.Blockers) != 1 || inc.Blockers[0].TablesFrom != "innodb-locks" || inc.Blockers[0].StartS >= 0 {
				t.Errorf("blockers %+v, want the UPDATE's transaction, from its InnoDB locks, open before the DDL", inc.Blockers)
			}
			if inc.Writers.Writers == 0 {
				t.Errorf("no writer queued: %+v", inc.Writers)
			}
			var unmatched bool
			for _, p := range problems {
				unmatched = unmatched || strings.Contains(p, "matches no statement")
			}
			if !unmatched {
				t.Errorf("no migration given, yet no problem says the DDL matched none: %v", problems)
			}
		})
	}
}

// A session holding a table the snapshot lacks is a problem line, and the
// rest of the evidence still gives the incident.
func TestBlockerOnTableSnapshotLacks(t *testing.T) {
	ev := evidenceOf(t, "mariadb/processlist.table.txt", "mariadb/innodbstatus.txt")
	for i := range ev.Samples {
		ev.Samples[i].Sessions = append(ev.Samples[i].Sessions, evidence.Session{
			ID: 999, Command: "Query", State: "Sending data", Info: "SELECT COUNT(*) FROM audit_log", Time: 30, HasTime: true, Line: 1,
		})
	}
	inc, problems, d := Analyze(ev, toySnapshot(), "app", nil)
	found := false
	for _, p := range problems {
		found = found || strings.Contains(p, "session 999 holds audit_log, which the snapshot lacks")
	}
	if !found {
		t.Errorf("no problem names session 999's table the snapshot lacks: %v", problems)
	}
	if inc.DDL == nil || d.Table != "investments" || len(inc.Blockers) != 1 || inc.Blockers[0].Session == 999 {
		t.Errorf("the rest of the evidence: DDL %+v, blockers %+v", inc.DDL, inc.Blockers)
	}
}

// A writer caught on its way into the queue ("Opening tables") in one
// capture and waiting for the metadata lock in the next is queued behind
// the DDL, not a blocker (seen on MariaDB 10.11 in TestReproduceCapturedPileUp's
// captures: two INSERTs were named blockers next to the idle transaction).
func TestQueuedWriterIsNotABlocker(t *testing.T) {
	ev := evidenceOf(t, "mariadb/processlist.table.txt", "mariadb/innodbstatus.txt")
	caught := false
	for i := range ev.Samples[0].Sessions {
		if s := &ev.Samples[0].Sessions[i]; s.ID == 36 {
			s.State, s.Time, caught = "Opening tables", 1, true
		}
	}
	if !caught {
		t.Fatal("fixture: no session 36 in the first capture")
	}
	inc, problems, _ := Analyze(ev, toySnapshot(), "app", nil)
	if inc.DDL == nil || len(inc.Blockers) != 1 || inc.Blockers[0].TablesFrom != "innodb-locks" {
		t.Errorf("blockers %+v, want only the UPDATE's transaction (problems %v)", inc.Blockers, problems)
	}
}
