package snapshot

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write encodes snap as indented JSON to w.
func Write(w io.Writer, snap *Snapshot) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(snap); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

// WriteFile writes snap to path atomically: a temporary file in the same
// folder renamed into place, so a reader never sees half a snapshot and a
// failed write leaves nothing behind.
func WriteFile(path string, snap *Snapshot) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".snapshot-*.json")
	if err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = Write(f, snap); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	return nil
}
