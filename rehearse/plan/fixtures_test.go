package plan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

const fixturesDir = "testdata/alter-fixtures"

// applyFile runs a SQL file statement by statement in database db of srv
// (created first).
func applyFile(t testing.TB, srv *engine.Server, db, file string) {
	t.Helper()
	ctx := context.Background()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sts, err := sqlsplit.SplitString(string(b), sqlsplit.Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	root, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, err := root.ExecContext(ctx, "CREATE DATABASE `"+db+"`"); err != nil {
		t.Fatal(err)
	}
	pool, err := srv.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	conn, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, st := range sts {
		if _, err := conn.ExecContext(ctx, st.Text); err != nil {
			t.Fatalf("%s: %v", st.Pos(), err)
		}
	}
}

// TestFixtureAgreement runs `rehearse plan` on the ALTER fixtures (one per
// row of the online-DDL tables) on every server this machine can start:
// every ALTER must be verified by the server's ALGORITHM/LOCK ladder, and
// the rule table's prediction must be what the server accepted.
func TestFixtureAgreement(t *testing.T) {
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: filepath.Join(fixturesDir, "migrations")})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range testserver.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			srv := testserver.Start(t, target)
			applyFile(t, srv, "fx", filepath.Join(fixturesDir, "setup.sql"))
			snap := capture(t, srv, "fx")
			p := planVerified(t, target, snap, set, nil)
			if len(p.Pending) != len(set.Migrations) {
				t.Fatalf("%d pending, want %d", len(p.Pending), len(set.Migrations))
			}
			alters := 0
			for _, pm := range p.Pending {
				n := 0
				for _, sp := range pm.Statements {
					if sp.Kind == "ddl" {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%s: %d DDL statements, want 1: %+v", pm.Name, n, pm.Statements)
				}
			}
			each(p, func(pm *PendingMigration, sp *StatementPlan) {
				if sp.Kind != "ddl" {
					return
				}
				alters++
				if sp.Replay == nil || !sp.Replay.OK {
					t.Errorf("%s: replay %+v", pm.Name, sp.Replay)
				}
				switch {
				case sp.Predicted == nil:
					t.Errorf("%s: no prediction for %s (ops %v)", pm.Name, sp.SQL, sp.Ops)
				case sp.Verified != nil && sp.Verified.Algorithm == "" && p.Sandbox.Flavor == "mariadb" && hasOp(sp.Ops, OpPartitionManage):
					// MariaDB takes no ALGORITHM/LOCK clause in partition
					// maintenance: run as written, the prediction stands.
					if sp.Verified.Note == "" {
						t.Errorf("%s: unverified without a note", pm.Name)
					}
				case sp.Verified == nil || sp.Verified.Algorithm == "":
					t.Errorf("%s: not verified: %+v", pm.Name, sp.Verified)
				case !sp.Verified.Agrees:
					t.Errorf("%s on %s %s: predicted %s/%s (%s), server accepted %s/%s (attempts %+v)", pm.Name, p.Sandbox.Flavor, p.Sandbox.Version,
						sp.Predicted.Algorithm, sp.Predicted.Lock, sp.Predicted.Reason, sp.Verified.Algorithm, sp.Verified.Lock, sp.Verified.Attempts)
				}
			})
			if alters != len(set.Migrations) {
				t.Errorf("%d ALTERs checked, want %d", alters, len(set.Migrations))
			}
			t.Logf("%s %s: %d ALTERs, sandbox %.1fs", p.Sandbox.Flavor, p.Sandbox.Version, alters, p.Sandbox.Seconds)
		})
	}
}
