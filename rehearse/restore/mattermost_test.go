package restore_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

// applyUps runs every up migration of set in order inside database, and
// records each in a morph db_migrations table, as Mattermost's server does.
func applyUps(t *testing.T, db *sql.DB, set *migrations.Set, database string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"CREATE DATABASE " + database, "USE " + database,
		"CREATE TABLE db_migrations (Version bigint(20) NOT NULL, Name varchar(64) NOT NULL, PRIMARY KEY (Version))"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, m := range set.Migrations {
		for _, st := range m.Up.Statements {
			rows, err := conn.QueryContext(ctx, st.Text)
			if err != nil {
				t.Fatalf("%s: %v", st.Pos(), err)
			}
			rows.Close()
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO db_migrations VALUES (?, ?)", m.Key, m.Name); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRoundTripMattermost: the schema after all of Mattermost's up
// migrations, with its morph history, survives snapshot -> restore ->
// snapshot (on every server this machine can start with REHEARSE_LONG=1).
func TestRoundTripMattermost(t *testing.T) {
	dir := testcorpus.Dir(t, "mattermost-mysql")
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Migrations) < 120 {
		t.Fatalf("%d migrations, want about 120", len(set.Migrations))
	}
	// Applying 120 migrations takes ~15 s on MariaDB and ~50 s on MySQL
	// 9.7 here: the default run covers the host's MariaDB, REHEARSE_LONG=1
	// every target (scripts/bench.d/snapshot.sh sets it).
	targets := []testserver.Target{testserver.LocalMariaDB()}
	if testserver.IsLong() {
		targets = testserver.Targets()
	}
	for _, tgt := range targets {
		t.Run(tgt.Name, func(t *testing.T) {
			ctx := context.Background()
			src := open(t, tgt)
			applyUps(t, src, set, "mattermost")
			want, err := snapshot.Capture(ctx, src, snapshot.CaptureOptions{Databases: []string{"mattermost"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(want.History) != 1 || want.History[0].Runner != "morph" || len(want.History[0].Entries) != len(set.Migrations) {
				t.Fatalf("history = %+v", want.History)
			}
			dst := open(t, tgt)
			if err := restore.Apply(ctx, dst, want, restore.Options{}); err != nil {
				t.Fatal(err)
			}
			got, err := snapshot.Capture(ctx, dst, snapshot.CaptureOptions{Databases: []string{"mattermost"}})
			if err != nil {
				t.Fatal(err)
			}
			n := snapshot.NormalizeOptions{KeepHistory: true}
			if d := testserver.JSONDiff(snapshot.Normalize(want, n), snapshot.Normalize(got, n)); d != "" {
				t.Errorf("snapshot(restore(S)) != S:\n%s", d)
			}
			if r := snapshot.Diff(want, got, snapshot.DiffOptions{}); len(r.Findings) != 0 {
				t.Errorf("diff of S and snapshot(restore(S)): %+v", r.Findings)
			}
			// History drift against the migrations folder: with the last four
			// entries removed, 120 (CREATE TABLE ChannelBookmarks) is pending
			// although its table exists: applied outside the runner.
			behind := *want
			behind.History = append([]snapshot.History(nil), want.History...)
			behind.History[0].Entries = want.History[0].Entries[:len(want.History[0].Entries)-4]
			checks, _, err := plan.LoadPending(ctx, migrations.Options{Dir: dir}, &behind, want)
			if err != nil {
				t.Fatal(err)
			}
			r := snapshot.Diff(&behind, want, snapshot.DiffOptions{Pending: checks})
			outside := 0
			for _, f := range r.Findings {
				if strings.Contains(f.Consequence, "applied outside the runner") {
					outside++
					if f.Object != "morph 120" {
						t.Errorf("applied outside the runner: %s (%s)", f.Object, f.Consequence)
					}
				}
			}
			if outside != 1 {
				t.Errorf("%d migrations found applied outside the runner, want 1 (120)", outside)
			}
			t.Logf("%s: %d tables, %d history entries", tgt.Name, len(want.Schemas[0].Tables), len(want.History[0].Entries))
		})
	}
}
