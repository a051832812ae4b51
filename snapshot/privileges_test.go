package snapshot_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/snapshot"
)

// fixtureSQL has one object of every kind a capture reads.
var fixtureSQL = []string{
	"CREATE DATABASE app",
	"CREATE TABLE app.teams (id int PRIMARY KEY, name varchar(64) NOT NULL, created datetime DEFAULT CURRENT_TIMESTAMP)",
	"CREATE TABLE app.users (id int PRIMARY KEY, team_id int, email varchar(255), KEY (email), CONSTRAINT fk_team FOREIGN KEY (team_id) REFERENCES app.teams (id))",
	"CREATE TABLE app.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
	"INSERT INTO app.schema_migrations VALUES (7, 0)",
	"INSERT INTO app.teams (id, name) VALUES (1, 'a'), (2, 'bb'), (3, NULL), (4, 'dddd')",
	"CREATE VIEW app.v_users AS SELECT id, email FROM app.users",
	"CREATE TRIGGER app.trg BEFORE INSERT ON app.users FOR EACH ROW SET NEW.email = LOWER(NEW.email)",
	"CREATE PROCEDURE app.p() SELECT 1",
	"CREATE FUNCTION app.f(x int) RETURNS int DETERMINISTIC RETURN x + 1",
	"CREATE EVENT app.e ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO DELETE FROM app.users WHERE id < 0",
	"SELECT COUNT(*) FROM app.users", // a digest
}

func seed(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, q := range fixtureSQL {
		if strings.HasPrefix(q, "INSERT INTO app.teams") {
			q = strings.Replace(q, "(3, NULL)", "(3, '')", 1)
		}
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// asUser opens srv as user/password.
func asUser(t *testing.T, srv *engine.Server, user, password string) *sql.DB {
	t.Helper()
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr = user, password, "tcp", fmt.Sprintf("%s:%d", srv.Host, srv.Port)
	conn, err := mysql.NewConnector(c)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

func grant(t *testing.T, db *sql.DB, statements string) {
	t.Helper()
	for _, q := range strings.Split(statements, ";") {
		if q = strings.TrimSpace(q); q != "" {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
}

// TestLeastPrivilegeGrant captures with an account that has exactly the
// documented GRANT and checks that it sees everything root sees, on every
// server this machine can start, and (checkOnlyReads) that it sent only
// plain reads; an account missing part of it is told which privilege and
// which GRANT.
func TestLeastPrivilegeGrant(t *testing.T) {
	for _, tgt := range testserver.Targets() {
		t.Run(tgt.Name, func(t *testing.T) {
			ctx := context.Background()
			srv := testserver.Start(t, tgt)
			root, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			seed(t, root)
			flavor := string(srv.Flavor)
			grant(t, root, "CREATE USER 'rehearse'@'%' IDENTIFIED BY 'capture-pw-123'; CREATE USER 'weak'@'%' IDENTIFIED BY 'weak-pw-456'")
			grant(t, root, snapshot.LeastPrivilegeGrant(flavor, "app", "'rehearse'@'%'"))
			grant(t, root, "GRANT SELECT ON app.* TO 'weak'@'%'")

			opts := snapshot.CaptureOptions{Databases: []string{"app"}, Digests: true, ColumnStats: true, ExactCounts: true}
			want, err := snapshot.Capture(ctx, root, opts)
			if err != nil {
				t.Fatal(err)
			}
			startStatementLog(t, root)
			got, err := snapshot.Capture(ctx, asUser(t, srv, "rehearse", "capture-pw-123"), opts)
			if err != nil {
				t.Fatalf("capture with the documented GRANT: %v (hint: %s)", err, rehearse.Hint(err))
			}
			checkOnlyReads(t, root)
			n := snapshot.NormalizeOptions{KeepSettings: true, KeepHistory: true}
			if d := testserver.JSONDiff(snapshot.Normalize(want, n), snapshot.Normalize(got, n)); d != "" {
				t.Errorf("the least-privilege capture differs from root's:\n%s", d)
			}
			sc := got.Schemas[0]
			if len(sc.Views) != 1 || len(sc.Triggers) != 1 || len(sc.Routines) != 2 || len(sc.Events) != 1 || len(got.History) != 1 {
				t.Errorf("objects seen: %d views, %d triggers, %d routines, %d events, %d histories", len(sc.Views), len(sc.Triggers), len(sc.Routines), len(sc.Events), len(got.History))
			}
			if len(got.Digests) == 0 {
				t.Errorf("no digests with SELECT on performance_schema")
			}
			teams := got.Table("app", "teams")
			if st := teams.Columns[1].Stats; st == nil || st.Length == nil || st.Min != nil || st.Length.Max != 4 {
				t.Errorf("column stats of a string: %+v (lengths only, never values)", st)
			}
			if teams.Stats.ExactRows == nil || *teams.Stats.ExactRows != 4 {
				t.Errorf("exact rows = %v, want 4", teams.Stats.ExactRows)
			}

			_, err = snapshot.Capture(ctx, asUser(t, srv, "weak", "weak-pw-456"), snapshot.CaptureOptions{Databases: []string{"app"}})
			if !errors.Is(err, snapshot.ErrPrivilege) || !strings.Contains(err.Error(), "TRIGGER") || !strings.Contains(rehearse.Hint(err), "GRANT SELECT, SHOW VIEW, TRIGGER, EVENT") {
				t.Errorf("capture without TRIGGER/EVENT: %v (hint %q), want the missing privileges and the GRANT", err, rehearse.Hint(err))
			}
			if strings.Contains(err.Error()+rehearse.Hint(err), "weak-pw-456") {
				t.Errorf("password in the error")
			}
		})
	}
}

// TestCaptureBadInput: wrong password, unknown database, unreachable server.
func TestCaptureBadInput(t *testing.T) {
	ctx := context.Background()
	srv, root := startMariaDB(t)
	grant(t, root, "CREATE USER 'u'@'%' IDENTIFIED BY 'right-pw'; GRANT SELECT ON *.* TO 'u'@'%'")

	_, err := snapshot.Capture(ctx, asUser(t, srv, "u", "wrong-pw-789"), snapshot.CaptureOptions{})
	if err == nil || !strings.Contains(rehearse.Hint(err), "password") || strings.Contains(err.Error(), "wrong-pw-789") {
		t.Errorf("wrong password: %v (hint %q)", err, rehearse.Hint(err))
	}

	_, err = snapshot.Capture(ctx, root, snapshot.CaptureOptions{Databases: []string{"nosuchdb"}})
	if err == nil || !strings.Contains(err.Error(), `"nosuchdb" does not exist`) || rehearse.Hint(err) == "" {
		t.Errorf("unknown database: %v", err)
	}

	c := mysql.NewConfig()
	c.User, c.Net, c.Addr = "root", "tcp", "127.0.0.1:1" // nothing listens on port 1
	conn, _ := mysql.NewConnector(c)
	dead := sql.OpenDB(conn)
	defer dead.Close()
	_, err = snapshot.Capture(ctx, dead, snapshot.CaptureOptions{})
	if err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("unreachable server: %v", err)
	}
}
