package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// TestProductionGuard: every command that writes refuses, with exit 2 and
// nothing written, a target that is the snapshot's source and one that
// replicates from it (a real MariaDB 10.11 replica of a local sandbox), and
// a snapshot that records no identity of its source.
func TestProductionGuard(t *testing.T) {
	requireLocalMariaDB(t)
	primaryT := testserver.LocalMariaDB()
	primaryT.Options.Settings = map[string]string{"log_bin": "rehearse-bin", "server_id": "101"}
	primary := testserver.Start(t, primaryT)
	replicaT := testserver.LocalMariaDB()
	replicaT.Options.Settings = map[string]string{"server_id": "102"}
	replica := testserver.Start(t, replicaT)

	pdb, err := primary.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()
	rdb, err := replica.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if _, err := rdb.Exec(fmt.Sprintf("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=no", primary.Port)); err != nil {
		t.Fatal(err)
	}
	if _, err := rdb.Exec("START SLAVE"); err != nil {
		t.Fatal(err)
	}
	defer rdb.Exec("STOP SLAVE")
	for _, q := range []string{
		"CREATE DATABASE app",
		"CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(10))",
		"CREATE TABLE app.schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty TINYINT(1) NOT NULL)",
		"INSERT INTO app.schema_migrations VALUES (1, 0)",
	} {
		if _, err := pdb.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		if rdb.QueryRow("SELECT COUNT(*) FROM app.schema_migrations").Scan(&n) == nil && n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the replica did not catch up in 20 s")
		}
		time.Sleep(100 * time.Millisecond)
	}

	snap, err := snapshot.Capture(context.Background(), pdb, snapshot.CaptureOptions{Databases: []string{"app"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "prod.json")
	if err := snapshot.WriteFile(file, snap); err != nil {
		t.Fatal(err)
	}
	anon := *snap
	anon.Source.ServerUUID, anon.Source.Identity = "", nil
	anonFile := filepath.Join(dir, "anon.json")
	if err := snapshot.WriteFile(anonFile, &anon); err != nil {
		t.Fatal(err)
	}
	// An identity present but empty (a hand-edited or damaged file) turns
	// nothing off either.
	empty := *snap
	empty.Source.ServerUUID, empty.Source.Identity = "", &snapshot.Identity{ReplicasFrom: "show-replicas"}
	emptyFile := filepath.Join(dir, "empty.json")
	if err := snapshot.WriteFile(emptyFile, &empty); err != nil {
		t.Fatal(err)
	}
	// The server's UUID changed since the snapshot (MySQL makes a new one
	// when auto.cnf is lost, e.g. a restored backup), host, port and
	// datadir did not: still the source.
	moved := *snap
	id := *snap.Source.Identity
	moved.Source.ServerUUID, id.ServerUUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562", "3e11fa47-71ca-11e1-9e33-c80aa9429562"
	moved.Source.Identity = &id
	movedFile := filepath.Join(dir, "moved.json")
	if err := snapshot.WriteFile(movedFile, &moved); err != nil {
		t.Fatal(err)
	}
	migs := filepath.Join(dir, "migrations")
	os.MkdirAll(migs, 0o755)
	os.WriteFile(filepath.Join(migs, "000001_init.up.sql"), []byte("SELECT 1;\n"), 0o644)
	os.WriteFile(filepath.Join(migs, "000002_c.up.sql"), []byte("ALTER TABLE t ADD COLUMN c INT;\n"), 0o644)
	os.WriteFile(filepath.Join(migs, "000002_c.down.sql"), []byte("ALTER TABLE t DROP COLUMN c;\n"), 0o644)

	commands := func(snapFile, dsn string) map[string][]string {
		return map[string][]string{
			"generate":           {"generate", "--snapshot", snapFile, "--dsn", dsn, "--rows", "t=5"},
			"sandbox --snapshot": {"sandbox", "--snapshot", snapFile, "--engine", "dsn", "--dsn", dsn},
			"run":                {"run", "--snapshot", snapFile, "--migrations", migs, "--engine", "dsn", "--dsn", dsn},
			"capacity":           {"capacity", "--snapshot", snapFile, "--migrations", migs, "--engine", "dsn", "--dsn", dsn, "--repeat", "1"},
			"plan (calibration)": {"plan", "--snapshot", snapFile, "--migrations", migs, "--engine", "dsn", "--dsn", dsn},
		}
	}
	for _, target := range []struct {
		name, snap, dsn, why string
	}{
		{"the source", file, primary.DSN(), "equals the one the snapshot recorded"},
		{"a replica", file, replica.DSN(), "replicates from the snapshot's source"},
		{"no identity", anonFile, replica.DSN(), "records no identity"},
		{"an empty identity", emptyFile, primary.DSN(), "records no identity"},
		{"a new server UUID", movedFile, primary.DSN(), "same host name, port and data directory"},
	} {
		for name, args := range commands(target.snap, target.dsn) {
			t.Run(target.name+"/"+name, func(t *testing.T) {
				code, _, stderr := runRehearse(t, nil, args...)
				if code != exitError || !strings.Contains(stderr, "the target is production") || !strings.Contains(stderr, target.why) {
					t.Errorf("exit %d, want %d and a refusal saying %q:\n%s", code, exitError, target.why, stderr)
				}
			})
		}
	}
	for _, db := range []struct {
		name string
		*sql.DB
	}{{"primary", pdb}, {"replica", rdb}} {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'rehearse\_%'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d scratch databases (%v)", db.name, n, err)
		}
		if err := db.QueryRow("SELECT COUNT(*) FROM app.t").Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: app.t has %d rows (%v)", db.name, n, err)
		}
	}
}
