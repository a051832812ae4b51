package snapshot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// captureDB captures one database of db.
func captureDB(t *testing.T, ctx context.Context, dbName string, s *snapshotDB) *snapshot.Snapshot {
	t.Helper()
	snap, err := snapshot.Capture(ctx, s.db, snapshot.CaptureOptions{Databases: []string{dbName}})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestDiffProductionVsStaging builds a production and a staging database
// that differ in every way the issue lists, and checks that each difference
// is found with a consequence, and that a snapshot compared with itself has
// none.
func TestDiffProductionVsStaging(t *testing.T) {
	ctx := context.Background()
	_, db := startMariaDB(t)
	s := &snapshotDB{db: db}
	common := []string{
		"CREATE TABLE {db}.teams (id int PRIMARY KEY, name varchar(64) NOT NULL)",
		"CREATE TABLE {db}.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
	}
	for _, d := range []string{"prod", "staging"} {
		testserver.Exec(t, db, "CREATE DATABASE "+d)
		for _, q := range common {
			testserver.Exec(t, db, strings.ReplaceAll(q, "{db}", d))
		}
	}
	testserver.Exec(t, db,
		"CREATE TABLE prod.users (id int PRIMARY KEY, team_id int, email varchar(255) NOT NULL, nick varchar(20) DEFAULT 'x', UNIQUE KEY uq_email (email), CONSTRAINT fk_team FOREIGN KEY (team_id) REFERENCES prod.teams (id))",
		"CREATE TABLE staging.users (id int PRIMARY KEY, team_id int, email varchar(191) NULL, nick varchar(20) DEFAULT 'y', CONSTRAINT users_ibfk_1 FOREIGN KEY (team_id) REFERENCES staging.teams (id))",
		"CREATE TABLE prod.audit (id int PRIMARY KEY)",
		"CREATE VIEW prod.v_users AS SELECT id FROM prod.users",
		"CREATE VIEW staging.v_users AS SELECT id, email FROM staging.users",
		"INSERT INTO prod.schema_migrations VALUES (42, 1)",
		"INSERT INTO staging.schema_migrations VALUES (40, 0)",
	)
	prod := captureDB(t, ctx, "prod", s)
	staging := captureDB(t, ctx, "staging", s)

	if r := snapshot.Diff(prod, prod, snapshot.DiffOptions{}); len(r.Findings) != 0 {
		t.Errorf("a snapshot compared with itself: %+v", r.Findings)
	}

	prod.Settings["lock_wait_timeout"] = "31536000"
	staging.Settings["lock_wait_timeout"] = "30"
	staging.Settings["sql_mode"] = "NO_ENGINE_SUBSTITUTION"
	staging.Source.Version = "10.11.1"
	prod.Table("prod", "teams").Stats.Rows = 4200000
	staging.Table("staging", "teams").Stats.Rows = 1000

	r := snapshot.Diff(prod, staging, snapshot.DiffOptions{NameA: "production", NameB: "staging"})
	want := []struct {
		kind   snapshot.DriftKind
		object string
		says   string
	}{
		{snapshot.DriftVersion, "version", "patch releases differ"},
		{snapshot.DriftSettings, "lock_wait_timeout", "1 year in production and 30s in staging"},
		{snapshot.DriftSettings, "sql_mode", "STRICT_TRANS_TABLES: what a migration accepts differs"},
		{snapshot.DriftSchema, "prod.audit", "exists only in production"},
		{snapshot.DriftSchema, "prod.users.email", "column type differs"},
		{snapshot.DriftSchema, "prod.users.email", "nullability differs"},
		{snapshot.DriftSchema, "prod.users.nick", "default differs"},
		{snapshot.DriftSchema, "prod.users index uq_email", "unique, so data accepted by one environment is rejected"},
		{snapshot.DriftSchema, "prod.users foreign key fk_team", "another name in staging (users_ibfk_1)"},
		{snapshot.DriftSchema, "prod.v_users", "view has a different definition"},
		{snapshot.DriftHistory, "golang-migrate prod.schema_migrations", "different migration versions (42 in production, 40 in staging)"},
		{snapshot.DriftHistory, "golang-migrate prod.schema_migrations 42", "recorded as dirty in production"},
		{snapshot.DriftScale, "prod.teams", "4.2M rows in production vs 1000 in staging (4200x): staging cannot reveal lock or duration problems"},
	}
	for _, w := range want {
		found := false
		for _, f := range r.Findings {
			if f.Kind == w.kind && f.Object == w.object && strings.Contains(f.Consequence, w.says) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing %s finding on %s saying %q", w.kind, w.object, w.says)
		}
	}
	if t.Failed() {
		for _, f := range r.Findings {
			t.Logf("%s %s (%s): %s", f.Kind, f.Object, f.Change, f.Consequence)
		}
	}
	// Rendering (table, Markdown, JUnit, JSON) is the reports package's,
	// tested there.
}

// Across flavors, view bodies are printed differently: compared by presence.
func TestDiffAcrossFlavorsComparesDefinitionsByPresence(t *testing.T) {
	mk := func(flavor, view string) *snapshot.Snapshot {
		return &snapshot.Snapshot{Source: snapshot.Source{Flavor: flavor, Version: "10.11.6"},
			Schemas: []snapshot.Schema{{Name: "app", Views: []snapshot.View{{Name: "v", CreateSQL: view}}}}}
	}
	r := snapshot.Diff(mk("mysql", "CREATE VIEW `v` AS select upper(`a`) AS `x` from `t`"), mk("mariadb", "CREATE VIEW `v` AS select ucase(`a`) AS `x` from `t`"), snapshot.DiffOptions{})
	if r.Count(snapshot.DriftSchema) != 0 || len(r.Notes) == 0 {
		t.Errorf("findings %+v, notes %v", r.Findings, r.Notes)
	}
	r = snapshot.Diff(mk("mariadb", "CREATE VIEW `v` AS select 1"), mk("mariadb", "CREATE VIEW `v` AS select 2"), snapshot.DiffOptions{})
	if r.Count(snapshot.DriftSchema) != 1 {
		t.Errorf("same flavor, different view: %+v", r.Findings)
	}
}
