package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Ctrl-C in the middle of a rehearsal (while the migrations run under load)
// stops it with exit code 2, says so, keeps what was measured so far in the
// report file, and leaves no sandbox process or folder behind.
func TestRunInterrupted(t *testing.T) {
	requireLocalMariaDB(t)
	dir := t.TempDir()
	if code, _, errOut := runRehearse(t, nil, "scenarios", "export", "unique-index-rerun", filepath.Join(dir, "s")); code != 0 {
		t.Fatalf("export: exit %d\n%s", code, errOut)
	}
	tmp := t.TempDir() // the sandbox lives here: it must be empty afterwards
	report := filepath.Join(dir, "report.json")
	cmd := exec.Command(rehearseBinary(t), "run", "--config", filepath.Join(dir, "s", "rehearse.yaml"),
		"--engine", "local", "--scale", "0.02", "-o", report, "--format", "json")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var (
		mu     sync.Mutex
		stderr strings.Builder
	)
	migrating := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(errPipe)
		once := sync.Once{}
		for sc.Scan() {
			mu.Lock()
			stderr.WriteString(sc.Text() + "\n")
			mu.Unlock()
			// The first migration statement has run: the load, the monitor
			// and the injected transaction are all up.
			if strings.HasPrefix(sc.Text(), "up 20240305#1") {
				once.Do(func() { close(migrating) })
			}
		}
	}()
	text := func() string { mu.Lock(); defer mu.Unlock(); return stderr.String() }
	select {
	case <-migrating:
	case <-time.After(3 * time.Minute):
		t.Fatalf("the rehearsal did not reach the migrations:\n%s", text())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("rehearse run did not exit within 60 s of SIGINT:\n%s", text())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 2 || !strings.Contains(text(), "interrupted") {
		t.Errorf("after SIGINT: exit %d, want 2 and a message saying it was interrupted:\n%s", code, text())
	}
	left, _ := os.ReadDir(tmp)
	for _, e := range left {
		t.Errorf("left behind in TMPDIR: %s", e.Name())
	}
	if out, _ := exec.Command("pgrep", "-f", "--", "--datadir="+tmp).Output(); len(out) > 0 {
		t.Errorf("server process still running from the sandbox: %s", out)
	}
	var rep struct {
		Phases []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"phases"`
	}
	raw, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(raw, &rep) != nil {
		t.Fatalf("no readable report after the interrupt: %v", err)
	}
	phases := map[string]string{}
	for _, p := range rep.Phases {
		phases[p.Name] = p.Status
	}
	if phases["generate"] != "ok" || phases["teardown"] == "" {
		t.Errorf("report phases after the interrupt: %+v; want the finished ones and the teardown", rep.Phases)
	}
}
