package restore_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

func open(t *testing.T, tgt testserver.Target) *sql.DB {
	t.Helper()
	srv := testserver.Start(t, tgt)
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func load(t *testing.T, db *sql.DB, name string, text []byte) {
	t.Helper()
	if err := restore.LoadDump(context.Background(), db, strings.NewReader(string(text)), restore.DumpOptions{Name: name}); err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
}

// historyTables adds two runners' history tables with rows, so the round
// trip covers history restore (and a dirty flag and a failed entry).
const historyTables = `CREATE DATABASE app;
CREATE TABLE app.schema_migrations (version bigint NOT NULL, dirty tinyint(1) NOT NULL, PRIMARY KEY (version));
INSERT INTO app.schema_migrations VALUES (42, 1);
CREATE TABLE app.flyway_schema_history (installed_rank int NOT NULL, version varchar(50), description varchar(200) NOT NULL,
  type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
  installed_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time int NOT NULL, success tinyint(1) NOT NULL,
  PRIMARY KEY (installed_rank), KEY flyway_schema_history_s_idx (success));
INSERT INTO app.flyway_schema_history VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', 12345, 'deploy', '2024-03-01 10:00:00', 50, 1),
  (2, '2', 'add users', 'SQL', 'V2__add_users.sql', -42, 'deploy', '2024-03-02 10:00:00', 70, 0),
  (3, NULL, 'views', 'SQL', 'R__views.sql', 7, 'deploy', '2024-03-03 10:00:00', 5, 1);
CREATE TABLE app.t (id int PRIMARY KEY, v varchar(10) CHARACTER SET latin1 DEFAULT 'it''s', ts datetime(3) DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3));
CREATE VIEW app.v1 AS SELECT id FROM app.t;
CREATE VIEW app.v0 AS SELECT id FROM app.v1;
CREATE EVENT app.nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO DELETE FROM app.t WHERE id < 0;
`

// TestRoundTrip checks snapshot(restore(S)) == S after normalisation on
// every server this machine can start, with the employees (plain and
// partitioned) and sakila schemas, history tables, views on views, events.
func TestRoundTrip(t *testing.T) {
	sakila := testcorpus.File(t, "sakila-schema/sakila-mv-schema.sql")
	employees := testcorpus.File(t, "employees-schema/employees.sql")
	objects := testcorpus.File(t, "employees-schema/objects.sql")
	part := strings.ReplaceAll(string(testcorpus.File(t, "employees-schema/employees_partitioned.sql")), "employees;", "employees_part;")
	for _, tgt := range testserver.Targets() {
		t.Run(tgt.Name, func(t *testing.T) {
			ctx := context.Background()
			src := open(t, tgt)
			load(t, src, "sakila-mv-schema.sql", sakila)
			load(t, src, "history", []byte(historyTables))
			// The employees schemas on the host's MariaDB by default, on
			// every target with REHEARSE_LONG=1 (keeps the default run short).
			if tgt.Name == testserver.LocalMariaDB().Name || testserver.IsLong() {
				load(t, src, "employees.sql", employees)
				load(t, src, "objects.sql", objects)
				load(t, src, "employees_partitioned.sql", []byte(part))
			}
			want, err := snapshot.Capture(ctx, src, snapshot.CaptureOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(want.History) != 2 {
				t.Errorf("history tables found = %d, want 2 (golang-migrate, flyway)", len(want.History))
			}
			dst := open(t, tgt)
			if err := restore.Apply(ctx, dst, want, restore.Options{}); err != nil {
				t.Fatal(err)
			}
			got, err := snapshot.Capture(ctx, dst, snapshot.CaptureOptions{})
			if err != nil {
				t.Fatal(err)
			}
			n := snapshot.NormalizeOptions{KeepHistory: true}
			if d := testserver.JSONDiff(snapshot.Normalize(want, n), snapshot.Normalize(got, n)); d != "" {
				t.Errorf("snapshot(restore(S)) != S:\n%s", d)
			}
			// A second restore into the same server must refuse, not merge.
			if err := restore.Apply(ctx, dst, want, restore.Options{}); err == nil {
				t.Errorf("restore into a server that has the databases: no error")
			}
		})
	}
}
