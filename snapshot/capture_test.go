package snapshot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

func TestCaptureSakila(t *testing.T) {
	_, db := startMariaDB(t)
	loadDump(t, db, "sakila-schema/sakila-mv-schema.sql", "")
	ctx := context.Background()
	snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"sakila"}, Host: "db-prod-1.example.com:3306", ColumnStats: true, ExactCounts: true, Digests: true})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Source.Flavor != "mariadb" || snap.Source.Host != "db-***:3306" || snap.Source.ServerUUID == "" {
		t.Errorf("source = %+v", snap.Source)
	}
	if len(snap.Schemas) != 1 {
		t.Fatalf("schemas = %d", len(snap.Schemas))
	}
	sc := snap.Schemas[0]
	counts := map[string]int{"tables": len(sc.Tables), "views": len(sc.Views), "triggers": len(sc.Triggers), "routines": len(sc.Routines)}
	want := map[string]int{"tables": 16, "views": 7, "triggers": 3, "routines": 6}
	for k, w := range want {
		if counts[k] != w {
			t.Errorf("%s = %d, want %d", k, counts[k], w)
		}
	}
	film := snap.Table("sakila", "film")
	if film == nil || len(film.Columns) == 0 || len(film.Indexes) == 0 || len(film.ForeignKeys) == 0 {
		t.Fatalf("film = %+v", film)
	}
	for _, k := range []string{"sql_mode", "lock_wait_timeout", "innodb_lock_wait_timeout", "transaction_isolation", "character_set_server"} {
		if _, ok := snap.Settings[k]; !ok {
			t.Errorf("setting %s missing", k)
		}
	}
	var buf bytes.Buffer
	if err := snapshot.Write(&buf, snap); err != nil {
		t.Fatal(err)
	}
	back, err := snapshot.Load(bytes.NewReader(buf.Bytes()), "sakila.json")
	if err != nil {
		t.Fatalf("load what was written: %v", err)
	}
	if len(back.Schemas[0].Tables) != len(sc.Tables) {
		t.Errorf("round trip through JSON lost tables")
	}
	if strings.Contains(buf.String(), "example.com") {
		t.Errorf("host not redacted")
	}
}

// TestHistoryTableOverride: --history-table names a table whose name is no
// runner's default; a table of unknown shape and a missing table are errors
// that say what to do.
func TestHistoryTableOverride(t *testing.T) {
	_, db := startMariaDB(t)
	testserver.Exec(t, db, "CREATE DATABASE app",
		"CREATE TABLE app.my_versions (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
		"INSERT INTO app.my_versions VALUES (12, 0)",
		"CREATE TABLE app.notes (id int PRIMARY KEY, body text)")
	ctx := context.Background()
	snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"app"}})
	if err != nil || len(snap.History) != 0 {
		t.Fatalf("auto-detection must not claim my_versions: %v, %+v", err, snap.History)
	}
	snap, err = snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"app"}, HistoryTables: []string{"app.my_versions"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.History) != 1 || snap.History[0].Runner != "golang-migrate" || snap.History[0].Entries[0].Version != "12" {
		t.Errorf("history = %+v", snap.History)
	}
	_, err = snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"app"}, HistoryTables: []string{"notes"}})
	if err == nil || !strings.Contains(err.Error(), "no known runner") || !strings.Contains(rehearse.Hint(err), "flyway") {
		t.Errorf("unknown shape: %v (hint %q)", err, rehearse.Hint(err))
	}
	_, err = snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"app"}, HistoryTables: []string{"app.nope"}})
	if err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Errorf("missing table: %v", err)
	}
}
