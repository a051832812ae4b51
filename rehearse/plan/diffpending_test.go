package plan_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/snapshot"
)

// TestDiffMigrations: a pending migration whose table and column already
// exist is reported as applied outside the runner; a pending migration
// numbered below the newest applied one as out of order.
func TestDiffMigrations(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"20240101000000_create_users.sql": "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE users;\n",
		"20240102000000_add_email.sql":    "-- migrate:up\nALTER TABLE users ADD COLUMN email varchar(255);\nCREATE INDEX idx_email ON users (email);\n-- migrate:down\nALTER TABLE users DROP COLUMN email;\n",
		"20240103000000_add_teams.sql":    "-- migrate:up\nCREATE TABLE teams (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE teams;\n",
		"20240104000000_backfill.sql":     "-- migrate:up\nUPDATE users SET email = '';\n-- migrate:down\n",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	col := func(n, typ string) snapshot.Column {
		return snapshot.Column{Name: n, Type: typ, DataType: typ, Position: 1}
	}
	users := snapshot.Table{Name: "users", CreateSQL: "CREATE TABLE users ...", Columns: []snapshot.Column{col("id", "int"), col("email", "varchar")},
		Indexes: []snapshot.Index{{Name: "idx_email", Columns: []snapshot.IndexColumn{{Name: "email"}}}}}
	hist := func(vs ...string) []snapshot.History {
		h := snapshot.History{Runner: "dbmate", Schema: "app", Table: "schema_migrations"}
		for _, v := range vs {
			h.Entries = append(h.Entries, snapshot.HistoryEntry{Version: v})
		}
		return []snapshot.History{h}
	}
	prod := &snapshot.Snapshot{Source: snapshot.Source{Flavor: "mysql", Version: "8.0.36"},
		Schemas: []snapshot.Schema{{Name: "app", Tables: []snapshot.Table{users}}}, History: hist("20240101000000", "20240103000000")}
	staging := &snapshot.Snapshot{Source: snapshot.Source{Flavor: "mysql", Version: "8.0.36"},
		Schemas: []snapshot.Schema{{Name: "app", Tables: []snapshot.Table{users, {Name: "teams", CreateSQL: "CREATE TABLE teams", Columns: []snapshot.Column{col("id", "int")}}}}},
		History: hist("20240101000000", "20240102000000", "20240103000000")}

	checks, set, err := plan.LoadPending(context.Background(), migrations.Options{Dir: dir}, prod, staging)
	if err != nil {
		t.Fatal(err)
	}
	if set.Format != "dbmate" {
		t.Fatalf("format = %s", set.Format)
	}
	r := snapshot.Diff(prod, staging, snapshot.DiffOptions{NameA: "production", NameB: "staging", Pending: checks})
	var outside, order []string
	for _, f := range r.Findings {
		if strings.Contains(f.Consequence, "applied outside the runner") {
			outside = append(outside, f.Object+" "+f.Change)
		}
		if strings.Contains(f.Consequence, "out of order") {
			order = append(order, f.Object+" "+f.Change)
		}
	}
	if len(outside) != 1 || outside[0] != "dbmate 20240102000000 pending in production" {
		t.Errorf("applied outside the runner: %v, want the email migration in production", outside)
	}
	if len(order) != 1 || order[0] != "dbmate 20240102000000 pending in production" {
		t.Errorf("out of order: %v, want the email migration in production", order)
	}
}
