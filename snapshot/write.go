package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/rehearse/rehearse/rehearse/redact"
)

// Write encodes snap as indented JSON to w, credentials masked
// (redact.String: a snapshot holds none, but a comment or a routine body
// of production's could).
func Write(w io.Writer, snap *Snapshot) error {
	b, err := encode(snap)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

func encode(snap *Snapshot) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(snap); err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}
	return []byte(redact.String(buf.String())), nil
}

// WriteFile writes snap to path through the one writer (redact.WriteFile:
// credentials masked, a temporary file renamed into place, so a reader
// never sees half a snapshot and a failure leaves nothing behind), readable
// by its owner only (0600): it describes production.
func WriteFile(path string, snap *Snapshot) error {
	b, err := encode(snap)
	if err != nil {
		return err
	}
	if err := redact.WriteFile(path, b, redact.SnapshotPerm); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}
