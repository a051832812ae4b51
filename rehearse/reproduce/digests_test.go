package reproduce

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/evidence"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/run"
)

// A digest export's row statements the load cannot run are problem lines,
// each with why; the deploy's DDL and the like are counted in one line; a
// statement the load runs (MariaDB's "?, ..." for a run of literals) is
// no problem. Nothing is dropped silently.
func TestDigestsNotInLoadAreProblems(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("testdata", "seed-incident", "processlist.txt"))
	if err != nil {
		t.Fatal(err)
	}
	csv := "SCHEMA_NAME,DIGEST,DIGEST_TEXT,COUNT_STAR,FIRST_SEEN,LAST_SEEN\n" +
		"invest,d1,\"INSERT INTO `investments` ( `account_id` , `fund_code` , `trade_date` , `units` , `amount` ) VALUES ( ?, ... ) \",300,2026-12-07 16:03:30,2026-12-07 16:03:50\n" +
		"invest,d2,\"SELECT `fund_code` , `SLEEP` (?) FROM `investments` WHERE ID = ? \",1,2026-12-07 16:03:30,2026-12-07 16:03:50\n" +
		"invest,d3,\"DROP INDEX `uq_investments_account_fund` ON `investments` \",1,2026-12-07 16:03:40,2026-12-07 16:03:40\n" +
		"invest,d4,\"SET `autocommit` = ? \",20,2026-12-07 16:03:30,2026-12-07 16:03:50\n"
	for name, body := range map[string]string{"processlist.txt": string(b), "digests.csv": csv} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := evidence.Read(dir, evidence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Digests) != 4 {
		t.Fatalf("%d digests read, want 4", len(ev.Digests))
	}
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: filepath.Join(seedDir, "migrations")})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Prepare(context.Background(), Options{Evidence: ev, Run: run.Options{Snapshot: seedSnapshot(t, engine.MariaDB), Migrations: set}})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(s.Problems, "\n")
	for _, want := range []string{"digest d2 (SELECT `fund_code` , `SLEEP` (?)", "2 digests of other statements"} {
		if !strings.Contains(all, want) {
			t.Errorf("no problem %q in:\n%s", want, all)
		}
	}
	if strings.Contains(all, "digest d1 ") {
		t.Errorf("the INSERT with MariaDB's \"?, ...\" is a problem, want it in the load:\n%s", all)
	}
}
