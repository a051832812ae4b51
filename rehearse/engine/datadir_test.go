package engine_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
)

// TestKeepDatadir: a server's datadir handed over after a clean shutdown
// starts two later servers, each on its own copy, with the rows in place,
// without crash recovery, each with its own identity.
func TestKeepDatadir(t *testing.T) {
	for _, target := range testserver.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			testKeepDatadir(t, target)
		})
	}
}

func testKeepDatadir(t *testing.T, target testserver.Target) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build, err := engine.BuildOf(ctx, target.Engine, target.Options)
	if err != nil {
		testserver.Unavailable(t, target.Name, err)
	}
	kept := target
	kept.Options.HostDatadir = true
	src := testserver.Start(t, kept)
	db, err := src.Open("")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE DATABASE kept", "CREATE TABLE kept.t (id INT PRIMARY KEY, v VARCHAR(20), KEY (v))",
		"INSERT INTO kept.t SELECT seq, CONCAT('v', seq) FROM (SELECT 1 seq UNION SELECT 2 UNION SELECT 3) s"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	if src.Version != build.Version && !strings.HasPrefix(src.Version, build.Version+".") {
		t.Errorf("Build says %s %s; the server says %s", build.Flavor, build.Version, src.Version)
	}
	dst := filepath.Join(t.TempDir(), "kept")
	if err := src.KeepDatadir(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "auto.cnf")); err == nil {
		t.Error("the kept datadir holds auto.cnf: every server started from it would share one server_uuid")
	}
	if err := src.KeepDatadir(ctx, filepath.Join(t.TempDir(), "again")); err == nil {
		t.Error("KeepDatadir twice: no error")
	}

	uuids := map[string]bool{}
	for i := 0; i < 2; i++ {
		opts := target.Options
		opts.Datadir = dst
		s, err := target.Engine.Start(ctx, opts)
		if err != nil {
			t.Fatalf("start on a copy of the kept datadir: %v", err)
		}
		t.Cleanup(func() { _ = s.Stop(context.Background()) })
		db, err := s.Open("")
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM kept.t WHERE v LIKE 'v%'").Scan(&n); err != nil || n != 3 {
			t.Errorf("server %d on the copy: %d rows (%v), want 3", i, n, err)
		}
		// Each copy is its own: a write to one is not in the entry.
		if _, err := db.ExecContext(ctx, "INSERT INTO kept.t VALUES (100, 'x')"); err != nil {
			t.Error(err)
		}
		db.Close()
		uuids[s.ServerUUID] = true
		if log := serverLog(t, s); strings.Contains(strings.ToLower(log), "crash recovery") {
			t.Errorf("server %d started with crash recovery: the datadir was not shut down cleanly:\n%s", i, log)
		}
	}
	if len(uuids) != 2 {
		t.Errorf("two servers from one kept datadir share their identity: %v", uuids)
	}
}

// TestDSNEngineHasNoDatadir: the dsn engine neither builds nor starts from
// a datadir.
func TestDSNEngineHasNoDatadir(t *testing.T) {
	eng := &engine.DSN{}
	if _, err := engine.BuildOf(context.Background(), eng, engine.Options{}); !errors.Is(err, engine.ErrNoDatadir) {
		t.Errorf("BuildOf(dsn) = %v, want ErrNoDatadir", err)
	}
	if _, err := eng.Start(context.Background(), engine.Options{DSN: "u:p@tcp(127.0.0.1:1)/", Datadir: "/nonexistent"}); !errors.Is(err, engine.ErrNoDatadir) {
		t.Errorf("dsn Start with a datadir = %v, want ErrNoDatadir", err)
	}
}

// serverLog is the server's error log: the sandbox's file (local) or the
// container's output (docker).
func serverLog(t *testing.T, s *engine.Server) string {
	t.Helper()
	switch s.Engine {
	case "local":
		b, err := os.ReadFile(filepath.Join(filepath.Dir(s.Datadir), "error.log"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	case "docker":
		b, err := exec.Command("docker", "logs", s.ID).CombinedOutput()
		if err != nil {
			t.Fatalf("docker logs %s: %v", s.ID, err)
		}
		return string(b)
	}
	return ""
}
