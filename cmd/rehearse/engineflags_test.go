package main

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
)

const badSecret = "Sup3r-Secret-Pw"

// TestSandboxBadInput: each mistake exits 2 with one paragraph on stderr
// (what failed, then "Try: ..."), prints no DSN, and leaves nothing behind.
func TestSandboxBadInput(t *testing.T) {
	requireLocalMariaDB(t)
	t.Setenv("REHEARSE_DSN", "")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()

	srv := testserver.Start(t, testserver.LocalMariaDB())
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE USER 'bad'@'127.0.0.1' IDENTIFIED BY 'right-one'", "GRANT ALL ON *.* TO 'bad'@'127.0.0.1'"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	srvAddr := fmt.Sprintf("127.0.0.1:%d", srv.Port)

	cases := []struct {
		name string
		env  map[string]string
		args []string
		want []string // in stderr
	}{
		{"unknown engine", nil, []string{"--engine", "podman"}, []string{`unknown engine "podman"`, "auto|docker|dsn|local"}},
		{"unknown flavor", nil, []string{"--flavor", "postgres"}, []string{`unknown flavor "postgres"`, "--flavor mysql"}},
		{"bad --set", nil, []string{"--set", "lock_wait_timeout"}, []string{"not name=value"}},
		{"flag of another engine", nil, []string{"--engine", "local", "--keep"}, []string{"--keep does not apply to --engine local"}},
		{"dsn engine without dsn", nil, []string{"--engine", "dsn"}, []string{"needs a server", "--dsn"}},
		{"missing rootfs", nil, []string{"--rootfs", "/nonexistent/root"}, []string{"/nonexistent/root", "make images"}},
		{"unknown image, docker unreachable", map[string]string{"DOCKER_HOST": "unix:///nonexistent/docker.sock"},
			[]string{"--image", "example.invalid/no-such-db:1"}, []string{"example.invalid/no-such-db:1", "--flavor"}},
		{"docker unreachable", map[string]string{"DOCKER_HOST": "unix:///nonexistent/docker.sock"},
			[]string{"--engine", "docker"}, []string{"/nonexistent/docker.sock", "--engine local"}},
		{"unknown image", nil, []string{"--engine", "docker", "--image", "example.invalid/no-such-db:1"}, []string{"example.invalid/no-such-db:1"}},
		{"no server binary", nil, []string{"--engine", "local", "--flavor", "mysql", "--version", "5.7"}, []string{"mysql 5.7", "--engine docker"}},
		{"port in use", nil, []string{"--engine", "local", "--port", fmt.Sprint(busyPort)}, []string{fmt.Sprintf("port %d", busyPort), "--port"}},
		{"unreachable dsn", nil, []string{"--engine", "dsn", "--dsn", "me:" + badSecret + "@tcp(" + deadAddr + ")/"}, []string{deadAddr, "host and port"}},
		{"wrong password", nil, []string{"--engine", "dsn", "--dsn", "bad:" + badSecret + "@tcp(" + srvAddr + ")/"}, []string{srvAddr, "password"}},
		{"unparsable dsn", nil, []string{"--engine", "dsn", "--dsn", "me:" + badSecret + "@tcp(" + deadAddr}, []string{"cannot read the DSN"}},
		// auto never picks the dsn engine: not from --dsn, not from the environment.
		{"--dsn under auto", nil, []string{"--dsn", "me:" + badSecret + "@tcp(" + srvAddr + ")/"}, []string{"--dsn does not apply to --engine auto", "--engine dsn"}},
		{"REHEARSE_DSN is never a target", map[string]string{"REHEARSE_DSN": "bad:" + badSecret + "@tcp(" + srvAddr + ")/"},
			[]string{"--engine", "dsn"}, []string{"$REHEARSE_DSN is not read", "REHEARSE_TARGET_DSN"}},
		{"REHEARSE_TARGET_DSN is read by --engine dsn", map[string]string{"REHEARSE_TARGET_DSN": "bad:" + badSecret + "@tcp(" + srvAddr + ")/"},
			[]string{"--engine", "dsn"}, []string{srvAddr, "password"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			start := time.Now()
			code, stdout, stderr := runRehearse(t, nil, append([]string{"sandbox"}, c.args...)...)
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %s, want under 10s", d)
			}
			if code != exitError {
				t.Errorf("exit code %d, want %d\nstderr: %s", code, exitError, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			assertOneParagraph(t, stderr)
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, badSecret) {
				t.Errorf("the password is shown:\n%s", stderr)
			}
			assertNothingLeft(t, tmp, "", 0)
		})
	}
	// Nothing the dsn cases did stays on the server.
	db, _ = srv.Open("")
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'rehearse\_%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d scratch databases left (%v)", n, err)
	}
}

// assertOneParagraph: the error is "rehearse: error: ..." then "Try: ...",
// after the progress lines, with no blank line, no usage text.
func assertOneParagraph(t *testing.T, stderr string) {
	t.Helper()
	i := strings.Index(stderr, "rehearse: error: ")
	if i < 0 {
		t.Errorf("no 'rehearse: error:' on stderr:\n%s", stderr)
		return
	}
	msg := strings.TrimRight(stderr[i:], "\n")
	if strings.Contains(msg, "\n\n") || strings.Contains(msg, "Usage:") {
		t.Errorf("error is not one paragraph:\n%s", msg)
	}
	if !strings.Contains(msg, "\nTry: ") {
		t.Errorf("error has no hint (Try: ...):\n%s", msg)
	}
	if lines := strings.Count(msg, "\n") + 1; lines > 4 {
		t.Errorf("error takes %d lines:\n%s", lines, msg)
	}
}
