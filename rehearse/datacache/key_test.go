package datacache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/datacache"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/snapshot"
)

// TestSnapshotDigest: a snapshot taken again of an unchanged production has
// the same digest; a change of schema, statistics or history does not.
func TestSnapshotDigest(t *testing.T) {
	target := testserver.LocalMariaDB()
	base := seedSnapshot(t, target)
	d0 := datacache.SnapshotDigest(base)
	same := seedSnapshot(t, target)
	same.CreatedAt = time.Now()
	same.Tool = "rehearse 9.9"
	same.Source.Host = "elsewhere:3306"
	same.Source.ServerUUID = "another"
	same.Digests = append(same.Digests, snapshot.Digest{})
	if got := datacache.SnapshotDigest(same); got != d0 {
		t.Errorf("capture time, tool, source identity or workload digests changed the digest")
	}
	for name, change := range map[string]func(*snapshot.Snapshot){
		"row count":   func(s *snapshot.Snapshot) { s.Schemas[0].Tables[0].Stats.Rows++ },
		"column type": func(s *snapshot.Snapshot) { s.Schemas[0].Tables[0].Columns[1].Type = "bigint" },
		"create sql":  func(s *snapshot.Snapshot) { s.Schemas[0].Tables[0].CreateSQL += " " },
		"history":     func(s *snapshot.Snapshot) { s.History[0].Entries = nil },
		"setting":     func(s *snapshot.Snapshot) { s.Settings["sql_mode"] = "" },
	} {
		s := seedSnapshot(t, target)
		change(s)
		if datacache.SnapshotDigest(s) == d0 {
			t.Errorf("a change of %s kept the digest", name)
		}
	}
}

// TestKeyFor: the key follows what shapes the datadir and nothing else.
func TestKeyFor(t *testing.T) {
	target := testserver.LocalMariaDB()
	ctx := context.Background()
	d := datacache.Data{Snapshot: seedSnapshot(t, target), Scale: 1, Seed: 1}
	key := func(d datacache.Data, set map[string]string) datacache.Key {
		t.Helper()
		o := target.Options
		o.Settings = set
		k, err := datacache.KeyFor(ctx, target.Engine, o, d)
		if err != nil {
			testserver.Unavailable(t, target.Name, err)
		}
		return k
	}
	k0 := key(d, nil)
	if k0.Build.Version == "" || k0.Build.ID == "" || k0.Generator == 0 || k0.Settings["sql_mode"] == "" {
		t.Fatalf("key lacks the build, the generator or the settings: %+v", k0)
	}
	if _, ok := k0.Settings["innodb_lock_wait_timeout"]; ok {
		t.Error("a runtime-only setting is in the key")
	}
	scale0 := d
	scale0.Scale = 0
	if key(scale0, nil).ID() != k0.ID() {
		t.Error("scale 0 (meaning 1) and scale 1 give different keys")
	}
	if key(d, map[string]string{"innodb_buffer_pool_size": "1073741824", "lock_wait_timeout": "5"}).ID() != k0.ID() {
		t.Error("the buffer pool or a timeout changed the key (capacity rehearsals scale them)")
	}
	for name, k := range map[string]datacache.Key{
		"seed":     key(datacache.Data{Snapshot: d.Snapshot, Scale: 1, Seed: 2}, nil),
		"scale":    key(datacache.Data{Snapshot: d.Snapshot, Scale: 0.5, Seed: 1}, nil),
		"rows":     key(datacache.Data{Snapshot: d.Snapshot, Scale: 1, Seed: 1, Rows: map[string]int64{"accounts": 10}}, nil),
		"tables":   key(datacache.Data{Snapshot: d.Snapshot, Scale: 1, Seed: 1, Tables: []string{"invest.accounts"}}, nil),
		"row fmt":  key(d, map[string]string{"innodb_default_row_format": "compact"}),
		"charset":  key(d, map[string]string{"character_set_server": "utf8mb4"}),
		"pagesize": key(d, map[string]string{"innodb_page_size": "8k"}),
	} {
		if k.ID() == k0.ID() {
			t.Errorf("a different %s gives the same key", name)
		}
	}
	if _, err := datacache.KeyFor(ctx, &engine.DSN{}, engine.Options{DSN: "u@tcp(h:1)/"}, d); !errors.Is(err, engine.ErrNoDatadir) {
		t.Errorf("KeyFor on the dsn engine: %v, want ErrNoDatadir", err)
	}
}
