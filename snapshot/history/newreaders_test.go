package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

// popx's schema_migration: 20-digit versions as text, in version order.
func TestPop(t *testing.T) {
	sh := fixture(t, "schema_migration",
		"CREATE TABLE {db}.schema_migration (version varchar(48) NOT NULL, version_self int NOT NULL DEFAULT 0, UNIQUE KEY (version))",
		"INSERT INTO {db}.schema_migration (version) VALUES ('20190101000000000002'), ('20190101000000000001')")
	check(t, sh, "pop", []history.Entry{{Version: "20190101000000000001"}, {Version: "20190101000000000002"}})
}

// _prisma_migrations: a rolled-back attempt is not applied, the retry is;
// an attempt neither finished nor rolled back failed.
func TestPrisma(t *testing.T) {
	sh := fixture(t, "_prisma_migrations",
		"CREATE TABLE {db}._prisma_migrations (id varchar(36) NOT NULL, checksum varchar(64) NOT NULL, finished_at datetime(3) NULL, migration_name varchar(255) NOT NULL, logs text NULL, rolled_back_at datetime(3) NULL, started_at datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), applied_steps_count int unsigned NOT NULL DEFAULT 0, PRIMARY KEY (id))",
		`INSERT INTO {db}._prisma_migrations VALUES
		 ('a', 'c1', '2024-01-01 00:00:01', '20240101000000_init', NULL, NULL, '2024-01-01 00:00:00', 1),
		 ('b', 'c2', NULL, '20240201000000_email', 'error', '2024-02-01 00:10:00', '2024-02-01 00:00:00', 0),
		 ('c', 'c2', '2024-02-02 00:00:01', '20240201000000_email', NULL, NULL, '2024-02-02 00:00:00', 1),
		 ('d', 'c3', NULL, '20240301000000_broken', 'error', NULL, '2024-03-01 00:00:00', 0)`)
	check(t, sh, "prisma", []history.Entry{
		{Version: "20240101000000_init", Checksum: "c1", AppliedAt: at("2024-01-01 00:00:01")},
		{Version: "20240201000000_email", Checksum: "c2", AppliedAt: at("2024-02-02 00:00:01")},
		{Version: "20240301000000_broken", Checksum: "c3", AppliedAt: at("2024-03-01 00:00:00"), Failed: true},
	})
}

// Sqitch's registry: changes beside projects.
func TestSqitch(t *testing.T) {
	sh := fixture(t, "changes",
		"CREATE TABLE {db}.projects (project varchar(255) PRIMARY KEY, uri varchar(255), created_at datetime(6), creator_name varchar(255), creator_email varchar(255))",
		"CREATE TABLE {db}.changes (change_id varchar(40) PRIMARY KEY, script_hash varchar(40), `change` varchar(255) NOT NULL, project varchar(255) NOT NULL, note text, committed_at datetime(6) NOT NULL, committer_name varchar(255), committer_email varchar(255), planned_at datetime(6) NOT NULL, planner_name varchar(255), planner_email varchar(255))",
		"INSERT INTO {db}.changes VALUES ('x2', 'h2', 'users', 'shop', '', '2024-01-02 00:00:00', 'a', 'a@x', '2024-01-02', 'a', 'a@x'), ('x1', 'h1', 'appschema', 'shop', '', '2024-01-01 00:00:00', 'a', 'a@x', '2024-01-01', 'a', 'a@x')")
	check(t, sh, "sqitch", []history.Entry{
		{Version: "appschema", Name: "shop", Checksum: "h1", AppliedAt: at("2024-01-01 00:00:00")},
		{Version: "users", Name: "shop", Checksum: "h2", AppliedAt: at("2024-01-02 00:00:00")},
	})
}

// An in-house runner's table (Authelia's migrations): the version column in
// primary-key order, the last row the current version.
func TestCustom(t *testing.T) {
	sh := fixture(t, "migrations",
		"CREATE TABLE {db}.migrations (id int AUTO_INCREMENT PRIMARY KEY, applied timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, version_before int NULL, version_after int NOT NULL, application_version varchar(128) NOT NULL)",
		"INSERT INTO {db}.migrations (version_before, version_after, application_version) VALUES (NULL, 1, 'v1'), (1, 10, 'v2'), (10, 9, 'v2')")
	if _, ok := history.Detect(sh); ok {
		t.Fatalf("an in-house table is not detected by itself")
	}
	c := history.Custom{Column: "version_after", OrderBy: []string{"id"}}
	got, err := c.Read(t.Context(), db, sh.Schema, sh.Table)
	if err != nil || len(got) != 3 || got[2].Version != "9" || got[1].Version != "10" || !history.Cumulative(c.Runner()) {
		t.Fatalf("entries %+v, %v", got, err)
	}
}
