package engine_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse/engine"
)

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestCleanStaleLocal(t *testing.T) {
	tmp, roots, cache := t.TempDir(), t.TempDir(), t.TempDir()
	dead := deadPID(t)
	root := filepath.Join(roots, "mysql-9.7")
	for _, d := range []string{filepath.Join(root, "usr", "sbin"), filepath.Join(root, "tmp"), filepath.Join(cache, "templates")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	stale := []string{
		filepath.Join(tmp, fmt.Sprintf("rehearse-sandbox-%d-123", dead)),
		filepath.Join(root, "tmp", fmt.Sprintf("rehearse-sandbox-%d-init-456", dead)),
		filepath.Join(cache, "templates", fmt.Sprintf(".init-%d-789", dead)),
	}
	live := []string{
		filepath.Join(tmp, fmt.Sprintf("rehearse-sandbox-%d-1", os.Getpid())),
		filepath.Join(tmp, "rehearse-sandbox-notapid"),
		filepath.Join(tmp, "unrelated-folder"),
		filepath.Join(cache, "templates", "mariadb-10.11.19"),
	}
	for _, d := range append(slices.Clone(stale), live...) {
		if err := os.MkdirAll(filepath.Join(d, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A "server" still running from a stale folder is killed first.
	orphan := exec.Command("bash", "-c", "while :; do sleep 0.05; done", "--datadir="+stale[0]+"/data")
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- orphan.Wait() }()
	t.Cleanup(func() { _ = orphan.Process.Kill() })

	removed, err := engine.CleanStaleLocal(context.Background(), engine.CleanLocalOptions{TempDirs: []string{tmp}, RootsDir: roots, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want := slices.Clone(stale)
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	for _, d := range stale {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("%s still exists", d)
		}
	}
	for _, d := range live {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was removed: its owner is alive or it is not a sandbox", d)
		}
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Errorf("the process running from the stale folder was not killed")
	}
}
