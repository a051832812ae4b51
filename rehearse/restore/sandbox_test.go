package restore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

// TestRemapAndGuard restores a snapshot into a database of another name
// (views keep working), then checks the production guard: the dsn engine
// refuses the snapshot's own source server, and a dsn sandbox restores into
// its scratch database and leaves nothing behind.
func TestRemapAndGuard(t *testing.T) {
	ctx := context.Background()
	tgt := testserver.LocalMariaDB()
	srv := testserver.Start(t, tgt)
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	load(t, db, "history", []byte(historyTables))
	snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"app"}})
	if err != nil {
		t.Fatal(err)
	}

	if err := restore.Apply(ctx, db, snap, restore.Options{Databases: map[string]string{"app": "app_copy"}}); err != nil {
		t.Fatalf("remapped restore: %v", err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM app_copy.v0").Scan(&n); err != nil {
		t.Errorf("view on view in the remapped database: %v", err)
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM app_copy.flyway_schema_history").Scan(&n); err != nil || n != 3 {
		t.Errorf("history rows in the remapped database = %d, %v; want 3", n, err)
	}
	err = restore.Apply(ctx, db, snap, restore.Options{})
	if !errors.Is(err, restore.ErrExists) {
		t.Errorf("restore over the source database: %v, want ErrExists", err)
	}

	// The dsn engine pointed at the source server: refused.
	_, err = restore.Sandbox(ctx, &engine.DSN{}, engine.Options{DSN: srv.DSN()}, snap, restore.Options{})
	if err == nil || !strings.Contains(err.Error(), "production") {
		t.Fatalf("sandbox on the snapshot's own server: %v, want the production guard", err)
	}

	// Another server through the dsn engine: restored into its scratch database.
	other := testserver.Start(t, tgt)
	sb, err := restore.Sandbox(ctx, &engine.DSN{}, engine.Options{DSN: other.DSN()}, snap, restore.Options{})
	if err != nil {
		t.Fatalf("dsn sandbox: %v", err)
	}
	odb, err := other.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer odb.Close()
	if err := odb.QueryRow("SELECT COUNT(*) FROM " + sb.Database + ".schema_migrations").Scan(&n); err != nil || n != 1 {
		t.Errorf("scratch database history = %d, %v", n, err)
	}
	if err := sb.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := odb.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", sb.Database).Scan(&n); err != nil || n != 0 {
		t.Errorf("scratch database left behind: %d, %v", n, err)
	}
}

func TestServerSettings(t *testing.T) {
	snap := &snapshot.Snapshot{Source: snapshot.Source{Flavor: "mariadb", Version: "10.11.6", ServerUUID: "u"},
		Settings: map[string]string{"lock_wait_timeout": "31536000", "innodb_buffer_pool_size": "137438953472", "alter_algorithm": "DEFAULT", "innodb_ddl_threads": "4"}}
	o := restore.StartOptions(snap, engine.Options{Settings: map[string]string{"lock_wait_timeout": "5"}})
	if o.Flavor != engine.MariaDB || o.Version != "10.11" || o.Guard == nil {
		t.Errorf("options = %+v", o)
	}
	if o.Settings["lock_wait_timeout"] != "5" {
		t.Errorf("--set must win over the snapshot: %v", o.Settings)
	}
	if _, ok := o.Settings["innodb_buffer_pool_size"]; ok {
		t.Errorf("production's buffer pool must not be copied into a sandbox")
	}
	if _, ok := o.Settings["innodb_ddl_threads"]; ok {
		t.Errorf("a MySQL-only setting given to MariaDB")
	}
	if o.Settings["alter_algorithm"] != "DEFAULT" {
		t.Errorf("alter_algorithm missing: %v", o.Settings)
	}
}
