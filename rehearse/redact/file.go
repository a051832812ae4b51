package redact

import (
	"fmt"
	"os"
	"path/filepath"
)

// Perm is the mode of the files WriteFile creates: reports, plans, diffs,
// load profiles. Snapshots, which describe production, are SnapshotPerm.
const (
	Perm         os.FileMode = 0o644
	SnapshotPerm os.FileMode = 0o600
)

// WriteFile writes data to path with credentials masked (String), whole or
// not at all: to a temporary file in the same folder, synced and renamed
// into place, so a reader never sees half a file and a failure leaves
// nothing behind (not even the temporary file). perm is the file's mode
// whatever the umask.
func WriteFile(path string, data []byte, perm os.FileMode) (err error) {
	masked := []byte(String(string(data)))
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(masked); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
