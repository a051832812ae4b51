package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// rehearseBinary builds cmd/rehearse once per test run.
func rehearseBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "rehearse-test-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "rehearse")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build rehearse: %v", buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	// A data cache of this package run's own (the templates stay shared):
	// what a test sees does not depend on what earlier runs left.
	dataCacheDir, err := os.MkdirTemp("", "rehearse-test-data-cache-")
	if err == nil {
		os.Setenv(dataCacheEnv, dataCacheDir)
	}
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	if dataCacheDir != "" {
		os.RemoveAll(dataCacheDir)
	}
	os.Exit(code)
}

func requireLocalMariaDB(t *testing.T) {
	t.Helper()
	if _, ok := engine.PickBinary(engine.FindBinaries(t.Context(), "", ""), engine.MariaDB, ""); !ok {
		testserver.Unavailable(t, "local mariadb", os.ErrNotExist)
	}
}

// sandboxProc is a `rehearse sandbox` child process with its stderr lines
// streamed to a channel.
type sandboxProc struct {
	cmd    *exec.Cmd
	stdout lockedBuffer
	lines  chan string
	stderr strings.Builder
	mu     sync.Mutex
	done   chan error
}

func startSandbox(t *testing.T, env []string, args ...string) *sandboxProc {
	t.Helper()
	p := &sandboxProc{lines: make(chan string, 100), done: make(chan error, 1)}
	p.cmd = exec.Command(rehearseBinary(t), append([]string{"sandbox"}, args...)...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = &p.stdout
	errPipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	return p
}

// waitLine waits for a stderr line containing sub.
func (p *sandboxProc) waitLine(t *testing.T, sub string) {
	t.Helper()
	timeout := time.After(90 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("rehearse sandbox ended before printing %q:\n%s", sub, p.errText())
			}
			if strings.Contains(l, sub) {
				return
			}
		case <-timeout:
			t.Fatalf("no %q within 90s:\n%s", sub, p.errText())
		}
	}
}

// lockedBuffer is stdout's buffer, safe to read while the child writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) Len() int { return len(b.String()) }

// waitStdout waits until standard output holds a whole line containing sub
// (stdout and stderr are separate pipes: a line on stderr does not mean
// the stdout line before it has been read yet) and returns that line.
func (p *sandboxProc) waitStdout(t *testing.T, sub string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, l := range strings.SplitAfter(p.stdout.String(), "\n") {
			if strings.HasSuffix(l, "\n") && strings.Contains(l, sub) {
				return strings.TrimSpace(l)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %q on stdout within 30s:\n%s", sub, p.errText())
	return ""
}

func (p *sandboxProc) errText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// wait drains stderr and returns the exit code.
func (p *sandboxProc) wait(t *testing.T) int {
	t.Helper()
	go func() {
		for range p.lines {
		}
	}()
	select {
	case err := <-p.done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(60 * time.Second):
		t.Fatalf("rehearse sandbox did not exit within 60s of the signal:\n%s", p.errText())
	}
	return -1
}

// assertNothingLeft: no sandbox folder in tmp, no half-built template in
// cache, no process naming either, nothing listening on port.
func assertNothingLeft(t *testing.T, tmp, cache string, port int) {
	t.Helper()
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		t.Errorf("left in TMPDIR: %s", e.Name())
	}
	if cache != "" {
		inits, _ := filepath.Glob(filepath.Join(cache, "templates", ".init-*"))
		for _, i := range inits {
			t.Errorf("half-built template left: %s", i)
		}
	}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		cmdline, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err == nil && (bytes.Contains(cmdline, []byte(tmp)) || cache != "" && bytes.Contains(cmdline, []byte(cache+"/"))) {
			t.Errorf("process %s left: %s", p.Name(), bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
		}
	}
	if port != 0 {
		if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second); err == nil {
			c.Close()
			t.Errorf("port %d still open", port)
		}
	}
}

// TestSandboxSignals starts a real `rehearse sandbox` and interrupts it while
// it initialises a template, while the server starts, and while it runs,
// with SIGINT and SIGTERM; nothing may be left behind.
func TestSandboxSignals(t *testing.T) {
	requireLocalMariaDB(t)
	warm := testserver.CacheDir()
	cases := []struct {
		name      string
		sig       syscall.Signal
		coldCache bool
		waitFor   string // the stderr line after which the signal is sent
		json      bool
	}{
		{"SIGINT while initialising", syscall.SIGINT, true, "initialising", false},
		{"SIGTERM while starting", syscall.SIGTERM, false, "local engine: starting", false},
		{"SIGINT while running", syscall.SIGINT, false, "press Ctrl-C", false},
		{"SIGTERM while running", syscall.SIGTERM, false, "press Ctrl-C", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			cache := warm
			if c.coldCache {
				cache = t.TempDir()
			}
			args := []string{"--engine", "local", "--flavor", "mariadb"}
			if c.json {
				args = append(args, "--json")
			}
			p := startSandbox(t, []string{"TMPDIR=" + tmp, "REHEARSE_CACHE_DIR=" + cache}, args...)
			p.waitLine(t, c.waitFor)
			if err := p.cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			code := p.wait(t)
			port := 0
			if c.waitFor == "press Ctrl-C" {
				port = dsnPort(t, p.stdout.String(), c.json)
				if code != 0 {
					t.Errorf("exit code %d after %s while running, want 0:\n%s", code, c.sig, p.errText())
				}
				if !strings.Contains(p.errText(), "removed") {
					t.Errorf("stderr does not say the sandbox was removed:\n%s", p.errText())
				}
			} else if code == 0 || p.stdout.Len() != 0 {
				t.Errorf("interrupted start: exit %d, stdout %q; want non-zero and no DSN", code, p.stdout.String())
			}
			if !c.coldCache {
				cache = "" // the shared cache may be in use by other tests
			}
			assertNothingLeft(t, tmp, cache, port)
		})
	}
}

// dsnPort reads the port from the DSN line or the JSON document.
func dsnPort(t *testing.T, stdout string, isJSON bool) int {
	t.Helper()
	var dsn string
	if isJSON {
		var doc struct{ DSN, Engine, Flavor, Version string }
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("--json output %q: %v", stdout, err)
		}
		if doc.Engine != "local" || doc.Flavor != "mariadb" || doc.Version == "" {
			t.Errorf("--json output %+v: want engine local, flavor mariadb, a version", doc)
		}
		dsn = doc.DSN
	} else {
		line := strings.TrimSpace(stdout)
		if !strings.HasPrefix(line, "DSN: ") || strings.Count(stdout, "\n") != 1 {
			t.Fatalf("stdout %q: want one line 'DSN: ...'", stdout)
		}
		dsn = strings.TrimPrefix(line, "DSN: ")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("DSN %q: %v", dsn, err)
	}
	_, port, _ := net.SplitHostPort(cfg.Addr)
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("DSN %q: no port", dsn)
	}
	return n
}

// checkDockerDSN (issue 13, item 9): the DSN a docker sandbox prints
// carries root's random password, for the person who started it to
// connect; the server refuses root without it; stderr (a log) never shows it.
func checkDockerDSN(t *testing.T, p *sandboxProc) {
	t.Helper()
	dsn := strings.TrimPrefix(strings.TrimSpace(p.waitStdout(t, "DSN: ")), "DSN: ")
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("printed DSN does not parse: %v", err)
	}
	if len(cfg.Passwd) < 32 {
		t.Errorf("the printed DSN has no random password (%d characters)", len(cfg.Passwd))
	}
	for _, pw := range []string{cfg.Passwd, ""} {
		c := cfg.Clone()
		c.Passwd = pw
		db, err := sql.Open("mysql", c.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		err = db.Ping()
		db.Close()
		if pw != "" && err != nil {
			t.Errorf("the printed DSN does not connect: %v", err)
		}
		if pw == "" && err == nil {
			t.Errorf("root without a password connects to %s", cfg.Addr)
		}
	}
	if cfg.Passwd != "" && strings.Contains(p.errText(), cfg.Passwd) {
		t.Errorf("stderr shows root's password")
	}
}

// TestSandboxSignalsDocker is TestSandboxSignals for the docker engine: no
// container owned by the interrupted process may be left, created or not.
func TestSandboxSignalsDocker(t *testing.T) {
	const image = "rehearse/mariadb:10.11"
	testserver.Need(t, testserver.DockerMariaDB())
	cases := []struct {
		name    string
		sig     syscall.Signal
		waitFor string
	}{
		{"SIGINT while starting", syscall.SIGINT, "docker engine: starting"},
		{"SIGTERM while running", syscall.SIGTERM, "press Ctrl-C"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			p := startSandbox(t, []string{"TMPDIR=" + tmp}, "--engine", "docker", "--image", image)
			p.waitLine(t, c.waitFor)
			if c.waitFor == "press Ctrl-C" {
				checkDockerDSN(t, p)
			}
			if err := p.cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			code := p.wait(t)
			port := 0
			if c.waitFor == "press Ctrl-C" {
				port = dsnPort(t, p.stdout.String(), false)
				if code != 0 {
					t.Errorf("exit code %d, want 0:\n%s", code, p.errText())
				}
			} else if code == 0 {
				t.Errorf("interrupted start exited 0:\n%s", p.errText())
			}
			out, err := exec.Command("docker", "ps", "-a", "-q", "--filter", fmt.Sprintf("label=rehearse.owner.pid=%d", p.cmd.Process.Pid)).Output()
			if err != nil {
				t.Fatalf("docker ps: %v", err)
			}
			if ids := strings.TrimSpace(string(out)); ids != "" {
				t.Errorf("containers left: %s", ids)
				_ = exec.Command("sh", "-c", "docker rm -f -v "+strings.Join(strings.Fields(ids), " ")).Run()
			}
			assertNothingLeft(t, tmp, "", port)
		})
	}
}
