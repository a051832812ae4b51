package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/engine/enginetest"
)

// localEngine is a local engine whose sandboxes live in a folder of the
// test, so that the test can assert that nothing is left in it.
func localEngine(t *testing.T) (*engine.Local, string) {
	tmp := t.TempDir()
	return &engine.Local{CacheDir: testserver.CacheDir(), TempDir: tmp, RootsDir: testserver.RootfsDir()}, tmp
}

// assertEmpty fails when dir holds anything.
func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left behind in %s: %s", dir, e.Name())
	}
}

func requireBinary(t *testing.T, f engine.Flavor, version string) {
	t.Helper()
	if _, ok := engine.PickBinary(engine.FindBinaries(context.Background(), "", ""), f, version); !ok {
		testserver.Unavailable(t, "local "+string(f)+" "+version, errors.New("no host binary"))
	}
}

func TestLocalConformanceMariaDB(t *testing.T) {
	requireBinary(t, engine.MariaDB, "10.11")
	eng, tmp := localEngine(t)
	enginetest.Run(t, eng, engine.Options{Flavor: engine.MariaDB, Version: "10.11"})
	assertEmpty(t, tmp)
}

// TestLocalConformanceRoots runs the three image roots `make images` builds
// (MySQL 9.7 from Debian sid, MariaDB 11.8 from trixie, MariaDB 10.11 from
// bookworm), and any other root there, through chroot. A root of the three
// that is missing is reported (testserver.Missing), not left out.
func TestLocalConformanceRoots(t *testing.T) {
	roots := map[string]engine.ImageRoot{}
	names := []string{"mysql-9.7", "mariadb-11.8", "mariadb-10.11"}
	for _, r := range engine.ImageRoots(testserver.RootfsDir()) {
		name := filepath.Base(r.Path)
		if _, ok := roots[name]; !ok && !slices.Contains(names, name) {
			names = append(names, name)
		}
		roots[name] = r
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			r, ok := roots[name]
			if !ok {
				testserver.Missing(t, "image root "+filepath.Join(testserver.RootfsDir(), name), "run `make images`")
			}
			eng, _ := localEngine(t)
			opts := engine.Options{Flavor: r.Flavor, Version: r.Version, Rootfs: r.Path}
			var checks []enginetest.Check
			if _, onHost := engine.PickBinary(engine.FindBinaries(context.Background(), "", ""), r.Flavor, r.Version); !onHost && r.Flavor == engine.MySQL {
				// No --rootfs: the engine finds the root for a version the
				// host lacks.
				opts.Rootfs = ""
				checks = append(checks, func(t *testing.T, s *engine.Server) {
					if !strings.HasPrefix(s.Socket, r.Path+"/tmp/") {
						t.Errorf("socket %s: the server did not run from %s", s.Socket, r.Path)
					}
				})
			}
			enginetest.Run(t, eng, opts, checks...)
			leftovers, _ := filepath.Glob(filepath.Join(r.Path, "tmp", fmt.Sprintf("rehearse-sandbox-%d-*", os.Getpid())))
			for _, l := range leftovers {
				t.Errorf("left behind in the root: %s", l)
			}
		})
	}
}

// TestLocalBasedir finds the server through --basedir (Debian's layout has
// the server in /usr/sbin and its share files in /usr/share/mysql).
func TestLocalBasedir(t *testing.T) {
	requireBinary(t, engine.MariaDB, "10.11")
	eng, tmp := localEngine(t)
	eng.CacheDir = "" // exercise mariadb-install-db --basedir, not the template
	s, err := eng.Start(context.Background(), engine.Options{Basedir: "/usr"})
	if err != nil {
		t.Fatalf("start with --basedir /usr: %v", err)
	}
	db, err := s.Open("")
	if err != nil {
		t.Fatal(err)
	}
	var basedir string
	err = db.QueryRow("SELECT @@basedir").Scan(&basedir)
	db.Close()
	if err != nil || strings.TrimRight(basedir, "/") != "/usr" {
		t.Errorf("@@basedir = %q (%v), want /usr", basedir, err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertEmpty(t, tmp)

	_, err = eng.Start(context.Background(), engine.Options{Basedir: filepath.Join(tmp, "nothing-here")})
	if !errors.Is(err, engine.ErrUnavailable) || !strings.Contains(err.Error(), "nothing-here") {
		t.Errorf("empty basedir: err = %v, want ErrUnavailable naming the basedir", err)
	}
	assertEmpty(t, tmp)
}

// TestLocalChosenPortTaken: the port the engine picked is taken before the
// server binds it; the engine must retry on another port.
func TestLocalChosenPortTaken(t *testing.T) {
	requireBinary(t, engine.MariaDB, "10.11")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := ln.Addr().(*net.TCPAddr).Port
	calls := 0
	defer engine.SetPickPort(func() (int, error) {
		calls++
		if calls == 1 {
			return taken, nil
		}
		return engine.FreePort()
	})()
	eng, tmp := localEngine(t)
	var log bytes.Buffer
	s, err := eng.Start(context.Background(), engine.Options{Log: &log})
	if err != nil {
		t.Fatalf("start with the first port taken: %v\n%s", err, log.String())
	}
	defer s.Stop(context.Background())
	if s.Port == taken || calls < 2 {
		t.Errorf("server on port %d after %d picks; port %d was taken", s.Port, calls, taken)
	}
	if !strings.Contains(log.String(), "taken") {
		t.Errorf("log does not say the port was taken:\n%s", log.String())
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertEmpty(t, tmp)
}

// TestLocalGivenPortInUse: a port the user asked for that is in use is an
// error with a hint, and nothing is left.
func TestLocalGivenPortInUse(t *testing.T) {
	requireBinary(t, engine.MariaDB, "10.11")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	eng, tmp := localEngine(t)
	_, err = eng.Start(context.Background(), engine.Options{Port: port})
	if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), itoa(port)) {
		t.Fatalf("err = %v, want 'port %d ... in use'", err, port)
	}
	if !strings.Contains(rehearse.Hint(err), "--port") {
		t.Errorf("hint %q does not mention --port", rehearse.Hint(err))
	}
	assertEmpty(t, tmp)
}

func TestLocalNoBinary(t *testing.T) {
	eng, tmp := localEngine(t)
	eng.RootsDir = t.TempDir()
	_, err := eng.Start(context.Background(), engine.Options{Flavor: engine.MySQL, Version: "5.7"})
	if !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if h := rehearse.Hint(err); !strings.Contains(h, "--engine docker") || !strings.Contains(h, "5.7") {
		t.Errorf("hint %q should name the way to get MySQL 5.7", h)
	}
	assertEmpty(t, tmp)
}

// TestLocalCancelDuringStart: cancelling the context while the server
// starts — right after the server process is spawned, long before it can
// answer — makes Start return the cancellation and leaves no process and no
// folder behind.
func TestLocalCancelDuringStart(t *testing.T) {
	requireBinary(t, engine.MariaDB, "10.11")
	eng, tmp := localEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel on the engine's "starting" line: the process is being spawned.
	log := cancelOn{prefix: "local engine: starting ", cancel: cancel}
	s, err := eng.Start(ctx, engine.Options{Log: &log})
	if err == nil {
		s.Stop(context.Background())
		t.Fatal("Start succeeded after its context was cancelled during start")
	}
	if !log.fired {
		t.Fatalf("the engine never logged %q; err = %v", log.prefix, err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want one wrapping context.Canceled", err)
	}
	assertEmpty(t, tmp)
	if pids := processesUsing(tmp); len(pids) > 0 {
		t.Errorf("processes left running in %s: %v", tmp, pids)
	}
}

// cancelOn is a log writer that calls cancel on the first line starting
// with prefix.
type cancelOn struct {
	prefix string
	cancel context.CancelFunc
	fired  bool
}

func (c *cancelOn) Write(p []byte) (int, error) {
	if !c.fired && strings.HasPrefix(string(p), c.prefix) {
		c.fired = true
		c.cancel()
	}
	return len(p), nil
}

// processesUsing lists the pids whose command line names dir.
func processesUsing(dir string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); err == nil && strings.Contains(string(cmd), dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestLocalFilesStayInSandbox: a sandbox process runs as this user (root
// here), so SELECT ... INTO OUTFILE or LOAD_FILE in a restored trigger or
// a migration must not reach the host's files: secure_file_priv is the
// sandbox's own folder, on every local target.
func TestLocalFilesStayInSandbox(t *testing.T) {
	for _, tgt := range testserver.Targets() {
		if tgt.Engine.Name() != "local" {
			continue
		}
		t.Run(tgt.Name, func(t *testing.T) {
			s := testserver.Start(t, tgt)
			db, err := s.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			outside := filepath.Join(os.TempDir(), fmt.Sprintf("rehearse-outfile-%d-%d", os.Getpid(), time.Now().UnixNano()))
			defer os.Remove(outside)
			_, err = db.Exec("SELECT 'owned' INTO OUTFILE '" + outside + "'")
			if err == nil {
				t.Fatalf("INTO OUTFILE %s succeeded: the sandbox writes host files", outside)
			}
			if !strings.Contains(err.Error(), "1290") {
				t.Errorf("INTO OUTFILE outside: %v, want error 1290 (secure-file-priv)", err)
			}
			var v *string
			if err := db.QueryRow("SELECT LOAD_FILE('/etc/passwd')").Scan(&v); err != nil || v != nil {
				t.Errorf("LOAD_FILE('/etc/passwd') = %v, %v: want NULL", v, err)
			}
		})
	}
}

// TestLocalSocketPathTooLong: a sandbox folder deep enough that the
// server's unix socket path passes the kernel's 107 bytes (a long TMPDIR)
// is refused before anything starts, naming the limit and the fix; the
// server refused to start with a message about its socket before.
func TestLocalSocketPathTooLong(t *testing.T) {
	requireBinary(t, engine.MariaDB, "10.11")
	eng, _ := localEngine(t)
	eng.RootsDir = t.TempDir() // the host's binary: the socket is in TempDir
	deep := filepath.Join(t.TempDir(), strings.Repeat("d", 90))
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	eng.TempDir = deep
	_, err := eng.Start(context.Background(), engine.Options{Flavor: engine.MariaDB, Version: "10.11"})
	if err == nil || !strings.Contains(err.Error(), "socket") || !strings.Contains(rehearse.Hint(err), "TMPDIR") {
		t.Fatalf("err = %v (hint %q), want the socket path's length named and TMPDIR as the fix", err, rehearse.Hint(err))
	}
	assertEmpty(t, deep)
}
