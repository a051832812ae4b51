package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/rehearse/rehearse/rehearse"
)

// The checks every command runs on its flags before any work starts (a
// server, a sandbox, a capture): a mistake found after a five-minute
// rehearsal costs the five minutes, and one found by the server may have
// started things to clean up. Each returns a usage error naming the flag
// and what to give instead.

// checkScale refuses a scale that is not a positive, finite number: 0 used
// to mean 100% and NaN 100 rows.
func checkScale(flag string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return usageError{rehearse.WithHint(fmt.Errorf("%s %g: not a positive number", flag, v),
			"give a fraction of production's row counts, e.g. %s 0.1 (1 = production's counts)", flag)}
	}
	return nil
}

// checkOutFile refuses an output file rehearse could not write: its folder
// missing or not a folder, the path a folder, or the folder not writable.
// "" and "-" (standard output) pass.
func checkOutFile(flag, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageError{rehearse.WithHint(fmt.Errorf("%s %s is a folder", flag, path), "give a file name, e.g. %s", filepath.Join(path, "out.json"))}
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return usageError{rehearse.WithHint(fmt.Errorf("%s %s: folder %s does not exist", flag, path, dir), "create the folder or write elsewhere")}
	}
	if err := probeWrite(dir); err != nil {
		return usageError{rehearse.WithHint(fmt.Errorf("%s %s: cannot write in %s: %w", flag, path, dir, err), "write to a folder you can write to")}
	}
	return nil
}

// checkOutDir refuses an output folder rehearse could not create or write:
// a file in its place or on its path, or a nearest existing folder that is
// not writable. Nothing is created.
func checkOutDir(flag, dir string) error {
	if dir == "" {
		return nil
	}
	d := filepath.Clean(dir)
	for {
		st, err := os.Stat(d)
		if err == nil {
			if !st.IsDir() {
				return usageError{rehearse.WithHint(fmt.Errorf("%s %s: %s is a file, not a folder", flag, dir, d), "give a folder path")}
			}
			if err := probeWrite(d); err != nil {
				return usageError{rehearse.WithHint(fmt.Errorf("%s %s: cannot write in %s: %w", flag, dir, d, err), "give a folder you can write to")}
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return usageError{rehearse.WithHint(fmt.Errorf("%s %s: %w", flag, dir, err), "give a folder you can write to")}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil
		}
		d = parent
	}
}

// probeWrite creates and removes a file in dir: permission bits say nothing
// to root, a read-only file system says no only when written to.
func probeWrite(dir string) error {
	f, err := os.CreateTemp(dir, ".rehearse-probe-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// check validates the rehearsal flags (rehearsalflags.go) a command took,
// before any file is read or server started.
func (f *rehearsalFlags) check(changed func(string) bool) error {
	if changed("scale") { // the default is valid; 0 is not
		if err := checkScale("--scale", f.Scale); err != nil {
			return err
		}
	}
	if f.Load < 0 {
		return usageError{rehearse.WithHint(fmt.Errorf("--load %g: negative", f.Load), "give the operations per second, e.g. --load 500")}
	}
	_, err := parseRowsFlag(f.Rows)
	return err
}

// parseRowsFlag reads repeated --rows table=N.
func parseRowsFlag(list []string) (map[string]int64, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]int64{}
	for _, a := range list {
		name, val, ok := strings.Cut(a, "=")
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(val), "_", ""), 10, 64)
		if !ok || strings.TrimSpace(name) == "" || err != nil || n < 0 {
			return nil, usageError{fmt.Errorf("--rows %q: want table=N, N a row count", a)}
		}
		out[strings.TrimSpace(name)] = n
	}
	return out, nil
}
