package reproduce

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/evidence"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/snapshot"
)

// seedIncidentMinutes reads testdata/seed-incident-minutes, the seed
// incident as it was reported, writers queued for minutes, captured by hand
// on a MariaDB 10.11 sandbox (seed-incident-minutes-capture/README.md says
// how): golang-migrate's deploy of the flagship scenario's release ran
// while a transaction that updated a row of investments stayed open 123 s,
// 3 s before the deploy; a writer arrived every 8 s, 15 in all. The evidence
// must read as that incident: the DROP INDEX of 20240306 waiting minutes
// behind the UPDATE's transaction, every writer seen, nothing unread.
func seedIncidentMinutes(t *testing.T) (*evidence.Evidence, *snapshot.Snapshot, *migrations.Set) {
	t.Helper()
	ev, err := evidence.Read(filepath.Join("testdata", "seed-incident-minutes"), evidence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap := seedSnapshot(t, engine.MariaDB)
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: filepath.Join(seedDir, "migrations")})
	if err != nil {
		t.Fatal(err)
	}
	inc, problems, d := Analyze(ev, snap, "invest", migrations.Pending(set, snap))
	if inc.DDL == nil || d.Migration != "20240306" || d.Statement != 1 || inc.DDL.Open {
		t.Fatalf("DDL %+v, matched %s#%d; problems %v", inc.DDL, d.Migration, d.Statement, problems)
	}
	// The transaction opened about 4 s before the DDL and held 123 s: the
	// DDL waited about 119 s, two minutes at most.
	if inc.DDL.WaitS < 100 || inc.DDL.WaitHiS > 120 {
		t.Errorf("the evidence places the wait at %.2f s (%.2f–%.2f): want the two minutes the transaction held", inc.DDL.WaitS, inc.DDL.WaitLoS, inc.DDL.WaitHiS)
	}
	if len(inc.Blockers) != 1 || inc.Blockers[0].TablesFrom != "innodb-locks" || inc.Blockers[0].StartS >= 0 || inc.Writers.Writers != 15 {
		t.Errorf("blockers %+v, writers %+v: want the UPDATE's transaction (from its InnoDB locks, open before the DDL) and the 15 writers", inc.Blockers, inc.Writers)
	}
	if len(ev.Problems) > 0 || len(problems) > 0 {
		t.Errorf("evidence lines not read as they stand: %v %v", ev.Problems, problems)
	}
	return ev, snap, set
}

// TestAnalyzeSeedIncidentMinutes: the evidence alone (no server, instant).
func TestAnalyzeSeedIncidentMinutes(t *testing.T) {
	seedIncidentMinutes(t)
}

// TestReproduceSeedIncidentMinutes: the seed incident held for minutes is
// reproduced, the rehearsal's DDL waiting within ±10% of the captured wait
// with writers queued behind it, and lock-wait-timeout=5s frees them within
// the DDL's 5 s. The incident's rehearsal alone waits two minutes: a
// benchmark (scripts/bench.d/reproduce.sh).
func TestReproduceSeedIncidentMinutes(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/reproduce.sh")
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	ev, snap, set := seedIncidentMinutes(t)
	rep := reproduceSeed(t, target, snap, set, ev, "lock-wait-timeout=5s", 12*time.Minute)
	if len(rep.Runs) != 2 {
		t.Fatalf("runs %d, want the incident and the fix (errors %v)", len(rep.Runs), rep.Errors)
	}
	captured, got := rep.Incident.DDL.WaitS, rep.Runs[0].Figures
	if rep.Verdict != Reproduced {
		t.Errorf("verdict %s: %s", rep.Verdict, rep.Reason)
	}
	if math.Abs(got.LockWaitS-captured) > 0.10*captured || got.WritersBlocked == 0 {
		t.Errorf("the rehearsal's DDL waited %.2f s (%d writers blocked), the captured wait %.2f s: want within ±10%% and writers queued", got.LockWaitS, got.WritersBlocked, captured)
	}
	// As in TestReproduceCapturedPileUp: the server's timer is the ground
	// truth, so the writers' bound is the DDL's measured run.
	fx := rep.Runs[1].Figures
	if fx.ErrorCode != 1205 || fx.DurationS < 5 || fx.DurationS >= captured || fx.LongestStallS > fx.DurationS+0.05 || fx.WritersBlocked == 0 {
		t.Errorf("with lock-wait-timeout=5s: error %d after %.2f s, %d writers blocked, longest stall %.2f s; want 1205 and writers freed within 5 s", fx.ErrorCode, fx.DurationS, fx.WritersBlocked, fx.LongestStallS)
	}
	t.Logf("seed incident (minutes): captured %.2f s (%.2f–%.2f), %d writers seen queued (longest %.0f s); rehearsed %.2f s (%+.1f%%), %d writers blocked, longest stall %.2f s; fix lock-wait-timeout=5s: 1205 after %.2f s, %d writers blocked, freed after %.2f s",
		captured, rep.Incident.DDL.WaitLoS, rep.Incident.DDL.WaitHiS, rep.Incident.Writers.Writers, rep.Incident.Writers.LongestS,
		got.LockWaitS, 100*(got.LockWaitS-captured)/captured, got.WritersBlocked, got.LongestStallS, fx.DurationS, fx.WritersBlocked, fx.LongestStallS)
}
