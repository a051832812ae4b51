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

// StaleFolder is a sandbox folder (or half-built template) whose owner
// process is gone, and the server processes still running from it.
type StaleFolder struct {
	Path    string `json:"path"`
	Owner   int    `json:"owner_pid"`
	Servers []int  `json:"server_pids,omitempty"`
}

// FindStaleLocal lists the sandbox folders (rehearse-sandbox-<pid>-*) and
// half-built templates whose owner process is gone, with any server
// process still running from them. It changes nothing (`rehearse doctor`
// lists them; CleanStaleLocal removes them).
func FindStaleLocal(ctx context.Context, opts CleanLocalOptions) ([]StaleFolder, error) {
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
	var out []StaleFolder
	look := func(d, prefix string) {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if pid, ok := ownerPID(e.Name(), prefix); ok && !processAlive(pid) {
				p := filepath.Join(d, e.Name())
				out = append(out, StaleFolder{Path: p, Owner: pid, Servers: serversIn(p)})
			}
		}
	}
	for _, d := range dirs {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		look(d, sandboxPrefix)
	}
	if opts.CacheDir != "" {
		look(filepath.Join(opts.CacheDir, "templates"), ".init-")
	}
	return out, nil
}

// CleanStaleLocal removes what FindStaleLocal lists, first killing any
// server process still running from such a folder. It returns what it
// removed. A folder whose owner is alive is left alone.
func CleanStaleLocal(ctx context.Context, opts CleanLocalOptions) ([]string, error) {
	stale, err := FindStaleLocal(ctx, opts)
	var removed []string
	var firstErr error
	for _, f := range stale {
		for _, pid := range f.Servers {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		if err := os.RemoveAll(f.Path); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		removed = append(removed, f.Path)
	}
	if err != nil {
		return removed, err
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

// serversIn lists the processes whose command line names dir (a server
// left running by an owner that died without stopping it).
func serversIn(dir string) []int {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
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
			out = append(out, pid)
		}
	}
	return out
}
