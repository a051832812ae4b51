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
