package plan

import (
	"context"
	"fmt"
	"testing"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/snapshot"
)

func loadMattermost(t testing.TB) *migrations.Set {
	t.Helper()
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: testcorpus.Dir(t, "mattermost-mysql")})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// applyUps runs the ups of set.Migrations[:n] statement by statement on
// srv's database db and records them in a morph db_migrations table.
func applyUps(t testing.TB, srv *engine.Server, db string, set *migrations.Set, n int) {
	t.Helper()
	ctx := context.Background()
	root, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, err := root.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+db+"`"); err != nil {
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
	if _, err := conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS db_migrations (Version bigint NOT NULL PRIMARY KEY, Name varchar(64) NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for _, m := range set.Migrations[:n] {
		for _, st := range m.Up.Statements {
			if _, err := conn.ExecContext(ctx, st.Text); err != nil {
				t.Fatalf("%s: %v", st.Pos(), err)
			}
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO db_migrations VALUES (?, ?)", m.Key, m.Name); err != nil {
			t.Fatal(err)
		}
	}
}

// capture snapshots database db of srv.
func capture(t testing.TB, srv *engine.Server, db string) *snapshot.Snapshot {
	t.Helper()
	pool, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	snap, err := snapshot.Capture(context.Background(), pool, snapshot.CaptureOptions{Databases: []string{db}})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// planVerified builds a verified plan of set against snap on target.
func planVerified(t testing.TB, target testserver.Target, snap *snapshot.Snapshot, set *migrations.Set, rules []Rule) *Plan {
	t.Helper()
	eo := target.Options
	p, err := Build(context.Background(), Options{Snapshot: snap, Migrations: set, Verify: true,
		Engine: target.Engine, EngineOptions: eo, CacheDir: testserver.CacheDir(), Rules: rules})
	if err != nil {
		t.Fatalf("plan on %s: %v", target.Name, err)
	}
	return p
}

func describe(sp *StatementPlan) string {
	return fmt.Sprintf("%s:%d %q ops=%v", sp.File, sp.Line, trunc(sp.SQL, 100), sp.Ops)
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
