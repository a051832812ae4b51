package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// CleanLocalOptions say where CleanStaleLocal looks.
type CleanLocalOptions struct {
	// TempDirs are folders holding sandbox folders (os.TempDir() when empty).
	TempDirs []string
	// RootsDir holds image roots; each root's /tmp is searched too.
	RootsDir string
	// CacheDir is the template cache; half-built templates are removed.
	CacheDir string
}

// CleanStaleLocal removes the sandbox folders (rehearse-sandbox-<pid>-*) and
// half-built templates whose owner process is gone, first killing any server
// process still running from such a folder. It returns what it removed. A
// folder whose owner is alive is left alone.
func CleanStaleLocal(ctx context.Context, opts CleanLocalOptions) ([]string, error) {
	dirs := opts.TempDirs
	if len(dirs) == 0 {
		dirs = []string{os.TempDir()}
	}
	if m := MemoryDir(); m != "" && !slices.Contains(dirs, m) {
		dirs = append(dirs, m) // sandboxes started with Options.Memory
	}
	for _, r := range ImageRoots(opts.RootsDir) {
		dirs = append(dirs, filepath.Join(r.Path, "tmp"))
	}
	var removed []string
	var firstErr error
	remove := func(p string) {
		killServersIn(p)
		if err := os.RemoveAll(p); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return
		}
		removed = append(removed, p)
	}
	for _, d := range dirs {
		if ctx.Err() != nil {
			return removed, ctx.Err()
		}
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if pid, ok := ownerPID(e.Name(), sandboxPrefix); ok && !processAlive(pid) {
				remove(filepath.Join(d, e.Name()))
			}
		}
	}
	if opts.CacheDir != "" {
		tdir := filepath.Join(opts.CacheDir, "templates")
		entries, _ := os.ReadDir(tdir)
		for _, e := range entries {
			if pid, ok := ownerPID(e.Name(), ".init-"); ok && !processAlive(pid) {
				remove(filepath.Join(tdir, e.Name()))
			}
		}
	}
	if firstErr != nil {
		return removed, fmt.Errorf("clean stale sandboxes: %w", firstErr)
	}
	return removed, nil
}

// ownerPID reads the pid from "<prefix><pid>-...".
func ownerPID(name, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(num)
	return pid, err == nil && pid > 0
}

// processAlive reports whether a process with pid exists (a zombie counts as
// gone).
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && err != syscall.EPERM {
		return false
	}
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: trust kill(0)
	}
	// state is the field after "(comm)".
	if i := bytes.LastIndexByte(st, ')'); i >= 0 && i+2 < len(st) && st[i+2] == 'Z' {
		return false
	}
	return true
}

// killServersIn kills processes whose command line names dir (a server left
// running by an owner that died without stopping it).
func killServersIn(dir string) {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	inner := dir
	if i := strings.Index(dir, "/tmp/"); i >= 0 {
		inner = dir[i:] // the path as a chrooted server sees it
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if bytes.Contains(cmdline, []byte(dir+"/")) || bytes.Contains(cmdline, []byte("="+inner+"/")) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
