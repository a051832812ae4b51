package plan

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
	"github.com/rehearse/rehearse/snapshot"
)

// TestProbeAlgorithms: on a server holding the fixtures' empty tables,
// ProbeAlgorithms answers every fixture ALTER with the algorithm and lock
// the rule table predicts (which TestFixtureAgreement checks against the
// server), handles a Mattermost-style PREPARE'd ALTER, skips a statement
// naming the database, and leaves the database exactly as it was.
// MariaDB 10.11 by default; every target with REHEARSE_LONG=1.
func TestProbeAlgorithms(t *testing.T) {
	targets := []testserver.Target{testserver.LocalMariaDB()}
	if testserver.IsLong() {
		targets = testserver.Targets()
	}
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: filepath.Join(fixturesDir, "migrations")})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range targets {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			target.Options.Memory = true
			srv := testserver.Start(t, target)
			applyFile(t, srv, "fx", filepath.Join(fixturesDir, "setup.sql"))
			snap := capture(t, srv, "fx")
			p, err := Build(ctx, Options{Snapshot: snap, Migrations: set}) // predictions only
			if err != nil {
				t.Fatal(err)
			}
			var stmts []sqlsplit.Statement
			var want []*Algo
			for i := range set.Migrations {
				for j, st := range set.Migrations[i].Up.Statements {
					stmts = append(stmts, st)
					want = append(want, p.Pending[i].Statements[j].Predicted)
				}
			}
			extra := []string{
				"SET @s = (SELECT IF((SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS WHERE table_name = 'fx_add_column' AND table_schema = DATABASE() AND column_name = 'viaexec') > 0, 'SELECT 1', 'ALTER TABLE fx_add_column ADD COLUMN viaexec int;'))",
				"PREPARE p1 FROM @s", "EXECUTE p1", "DEALLOCATE PREPARE p1",
				"ALTER TABLE fx.fx_add_index ADD COLUMN danger int",
			}
			for _, x := range extra {
				stmts = append(stmts, sqlsplit.Statement{Text: x, File: "extra.sql", Line: len(stmts)})
				want = append(want, nil)
			}
			pool, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			res, err := ProbeAlgorithms(ctx, pool, stmts, ProbeOptions{Schema: "fx"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != len(stmts) {
				t.Fatalf("%d results for %d statements", len(res), len(stmts))
			}
			checked := 0
			for i, r := range res {
				if want[i] == nil {
					continue
				}
				v := r.Verified
				switch {
				case r.Replay == nil || !r.Replay.OK:
					t.Errorf("%s:%d: %+v", r.File, r.Line, r.Replay)
				case v == nil:
					t.Errorf("%s:%d: not probed", r.File, r.Line)
				case v.Algorithm == "" && v.Note != "":
					// MariaDB partition maintenance takes no ALGORITHM clause
				case v.Algorithm != want[i].Algorithm || v.Lock != want[i].Lock:
					t.Errorf("%s:%d: probed %s/%s, predicted (and verified by TestFixtureAgreement) %s/%s", r.File, r.Line, v.Algorithm, v.Lock, want[i].Algorithm, want[i].Lock)
				default:
					checked++
				}
			}
			n := len(res)
			if ex := res[n-3]; ex.Verified == nil || ex.Verified.Algorithm != Instant || !ex.Replay.OK {
				t.Errorf("EXECUTE of a prepared ALTER: %+v %+v", ex.Verified, ex.Replay)
			}
			if sk := res[n-1]; sk.Replay == nil || sk.Replay.Class != "skipped" {
				t.Errorf("statement naming the database: %+v", sk.Replay)
			}
			after := capture(t, srv, "fx")
			a, b := snapshot.Normalize(snap, snapshot.NormalizeOptions{}), snapshot.Normalize(after, snapshot.NormalizeOptions{})
			if d := differences(a, b); len(d) > 0 {
				t.Errorf("the database changed: %v", d)
			}
			var scratch int
			if err := pool.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '_rehearse_probe'").Scan(&scratch); err != nil || scratch != 0 {
				t.Errorf("scratch database left: %d %v", scratch, err)
			}
			t.Logf("%d ALTERs probed and agree", checked)
		})
	}
}
