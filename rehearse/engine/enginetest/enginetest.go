// Package enginetest is the conformance suite every engine passes: a real
// server is started, used and stopped, and nothing may be left behind.
//
//	func TestConformance(t *testing.T) {
//		enginetest.Run(t, &engine.Local{}, engine.Options{Flavor: engine.MariaDB})
//	}
package enginetest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// Check is an extra assertion an engine's own test adds, run after Stop
// (for example: no container with this id is left).
type Check func(t *testing.T, s *engine.Server)

// settingName and settingValue are the server variable the suite asks every
// engine to apply: session-scoped on both flavors, far from its default.
const (
	settingName  = "lock_wait_timeout"
	settingValue = "4321"
)

// Run starts a server with eng and opts and checks the contract: it answers;
// flavor and version match the request and the server; a Settings variable
// took effect; performance_schema shows a PENDING metadata lock while an
// ALTER waits behind an open transaction; after Stop no process, port,
// sandbox folder or scratch database is left. after runs once Stop returned.
func Run(t *testing.T, eng engine.Engine, opts engine.Options, after ...Check) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	opts.Settings = withSetting(opts.Settings)
	if opts.Log == nil {
		opts.Log = testWriter{t}
	}
	start := time.Now()
	s, err := eng.Start(ctx, opts)
	if err != nil {
		t.Fatalf("%s: start: %v", eng.Name(), err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = s.Stop(context.Background())
		}
	})
	t.Logf("%s: %s %s started in %s (%s)", eng.Name(), s.Flavor, s.Version, time.Since(start).Round(time.Millisecond), s.DisplayDSN())

	t.Run("identity", func(t *testing.T) { checkIdentity(t, ctx, s, opts) })
	t.Run("settings", func(t *testing.T) { checkSetting(t, ctx, s) })
	t.Run("mdl", func(t *testing.T) { checkPendingMDL(t, ctx, s) })

	if err := s.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
	stopped = true
	if err := s.Stop(ctx); err != nil {
		t.Errorf("second stop must be a no-op: %v", err)
	}
	checkNothingLeft(t, s, opts)
	for _, c := range after {
		c(t, s)
	}
}

func withSetting(in map[string]string) map[string]string {
	out := map[string]string{settingName: settingValue}
	for k, v := range in {
		out[k] = v
	}
	return out
}

func checkIdentity(t *testing.T, ctx context.Context, s *engine.Server, opts engine.Options) {
	db := open(t, s)
	var version string
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		t.Fatalf("SELECT VERSION(): %v", err)
	}
	if got := engine.FlavorOf(version); got != s.Flavor {
		t.Errorf("Server.Flavor = %q, the server says %q (%s)", s.Flavor, got, version)
	}
	if engine.CleanVersion(version) != s.Version {
		t.Errorf("Server.Version = %q, the server says %q", s.Version, version)
	}
	if opts.Flavor != "" && s.Flavor != opts.Flavor {
		t.Errorf("asked for %s, got %s %s", opts.Flavor, s.Flavor, s.Version)
	}
	if opts.Version != "" && s.Version != opts.Version && !strings.HasPrefix(s.Version, opts.Version+".") {
		t.Errorf("asked for version %s, got %s", opts.Version, s.Version)
	}
	if s.ServerUUID == "" {
		t.Errorf("Server.ServerUUID is empty")
	}
	if uuid, err := mysqlkit.ServerUUID(ctx, db); err != nil || uuid != s.ServerUUID {
		t.Errorf("ServerUUID = %q (%v), Server.ServerUUID = %q", uuid, err, s.ServerUUID)
	}
	if strings.Contains(s.DisplayDSN(), ":") && s.DisplayDSN() != s.DSN() && !strings.Contains(s.DisplayDSN(), "***") {
		t.Errorf("DisplayDSN %q differs from DSN but does not mask the password", s.DisplayDSN())
	}
}

func checkSetting(t *testing.T, ctx context.Context, s *engine.Server) {
	db := open(t, s)
	var got string
	if err := db.QueryRowContext(ctx, "SELECT @@"+settingName).Scan(&got); err != nil {
		t.Fatalf("SELECT @@%s: %v", settingName, err)
	}
	if got != settingValue {
		t.Errorf("@@%s = %s, want %s (Options.Settings not applied)", settingName, got, settingValue)
	}
	var ps string
	if err := db.QueryRowContext(ctx, "SELECT @@performance_schema").Scan(&ps); err != nil || (ps != "1" && ps != "ON") {
		t.Errorf("@@performance_schema = %q (%v), want ON", ps, err)
	}
}

// checkPendingMDL: conn A holds a transaction that read t1, conn B runs an
// ALTER on t1 (which must wait), conn C sees the PENDING metadata lock.
func checkPendingMDL(t *testing.T, ctx context.Context, s *engine.Server) {
	schema := s.Database
	admin := open(t, s)
	if schema == "" {
		schema = "enginetest"
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+schema); err != nil {
			t.Fatalf("create database: %v", err)
		}
	}
	mustExec(t, ctx, admin, "DROP TABLE IF EXISTS `"+schema+"`.t1")
	mustExec(t, ctx, admin, "CREATE TABLE `"+schema+"`.t1 (id INT PRIMARY KEY, v INT) ENGINE=InnoDB")
	mustExec(t, ctx, admin, "INSERT INTO `"+schema+"`.t1 VALUES (1, 1), (2, 2)")

	connA := conn(t, ctx, s, schema)
	mustExecConn(t, ctx, connA, "BEGIN")
	var n int
	if err := connA.QueryRowContext(ctx, "SELECT COUNT(*) FROM t1").Scan(&n); err != nil || n != 2 {
		t.Fatalf("conn A: read t1: n=%d err=%v", n, err)
	}

	connB := conn(t, ctx, s, schema)
	mustExecConn(t, ctx, connB, "SET SESSION lock_wait_timeout = 60")
	alterDone := make(chan error, 1)
	go func() {
		_, err := connB.ExecContext(ctx, "ALTER TABLE t1 ADD COLUMN w INT")
		alterDone <- err
	}()

	connC := conn(t, ctx, s, "")
	deadline := time.Now().Add(15 * time.Second)
	var pending int
	for time.Now().Before(deadline) {
		err := connC.QueryRowContext(ctx, `SELECT COUNT(*) FROM performance_schema.metadata_locks
			WHERE OBJECT_SCHEMA = ? AND OBJECT_NAME = 't1' AND LOCK_STATUS = 'PENDING'`, schema).Scan(&pending)
		if err != nil {
			t.Fatalf("conn C: read performance_schema.metadata_locks: %v", err)
		}
		if pending > 0 {
			break
		}
		select {
		case err := <-alterDone:
			t.Fatalf("ALTER finished (%v) while a transaction held t1: it should have waited", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if pending == 0 {
		t.Errorf("no PENDING metadata lock on %s.t1 while the ALTER waited: metadata-lock instrumentation is off", schema)
	}
	mustExecConn(t, ctx, connA, "ROLLBACK")
	select {
	case err := <-alterDone:
		if err != nil {
			t.Errorf("ALTER after the transaction ended: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Errorf("ALTER still waiting after the transaction ended")
	}
}

// checkNothingLeft: the port is closed (unless the server is not ours), the
// sandbox folder is gone, the process is gone, the scratch database is gone.
func checkNothingLeft(t *testing.T, s *engine.Server, opts engine.Options) {
	t.Helper()
	switch s.Engine {
	case "dsn":
		db, err := s.Open("")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		err = db.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", s.Database).Scan(&n)
		if err != nil {
			t.Errorf("check scratch database: %v", err)
		} else if want := map[bool]int{true: 1, false: 0}[opts.Keep]; n != want {
			t.Errorf("scratch database %s: %d left after Stop (Keep=%v)", s.Database, n, opts.Keep)
		}
		return
	case "local":
		if pid, err := strconv.Atoi(s.ID); err == nil {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
				t.Errorf("server process %d still exists after Stop", pid)
			}
		}
		if s.Socket != "" {
			if _, err := os.Stat(filepath.Dir(s.Socket)); err == nil {
				t.Errorf("sandbox folder %s left after Stop", filepath.Dir(s.Socket))
			}
		}
	}
	if s.Port != 0 {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), time.Second)
		if err == nil {
			c.Close()
			t.Errorf("port %s:%d still accepts connections after Stop", s.Host, s.Port)
		}
	}
}

func open(t *testing.T, s *engine.Server) *sql.DB {
	t.Helper()
	db, err := s.Open("")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func conn(t *testing.T, ctx context.Context, s *engine.Server, schema string) *sql.Conn {
	t.Helper()
	db, err := s.Open(schema)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	c, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(); db.Close() })
	return c
}

func mustExec(t *testing.T, ctx context.Context, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func mustExecConn(t *testing.T, ctx context.Context, c *sql.Conn, q string) {
	t.Helper()
	if _, err := c.ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// testWriter sends engine progress to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
