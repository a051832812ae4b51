package engine

import (
	"fmt"
	"os"
)

// SandboxDir creates a folder in base ("" = os.TempDir()) named like the
// engines' sandbox folders (rehearse-sandbox-<pid>-*), so that `rehearse
// doctor --clean` (CleanStaleLocal) removes it when this process dies
// before it does: for datadirs a caller keeps between servers (a topology
// built from one filled datadir). The caller removes it.
func SandboxDir(base string) (string, error) {
	if base == "" {
		base = os.TempDir()
	}
	d, err := os.MkdirTemp(base, fmt.Sprintf("%s%d-", sandboxPrefix, os.Getpid()))
	if err != nil {
		return "", fmt.Errorf("sandbox folder: %w", err)
	}
	return d, nil
}
