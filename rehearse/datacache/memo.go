package datacache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Memos: small answers worked out on a server started from an entry that
// every server started from it would work out the same way (a release's
// ALGORITHM/LOCK answers from the probe), kept beside the entry's datadir so
// the next rehearsal skips the work. A memo is not part of the manifest: a
// missing, unreadable or damaged one (its checksum differs) is worked out
// again, never an error; removing the entry removes its memos.

const memoDir = "memos"

type memoFile struct {
	SHA256 string          `json:"sha256"` // of Data, as written
	Data   json.RawMessage `json:"data"`
}

// MemoName names a memo of kind ("probe") for what shapes its answer
// (parts, in order): the same parts, the same name.
func MemoName(kind string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\n", len(p), p)
	}
	return kind + "-" + hex.EncodeToString(h.Sum(nil)[:12])
}

func (e *Entry) memoPath(name string) string {
	return filepath.Join(e.Dir, memoDir, name+".json")
}

// Memo reads the memo name into v. It reports false when there is none, or
// when it is damaged (checksum, JSON): the caller works the answer out again
// and SetMemo replaces it.
func (e *Entry) Memo(name string, v any) bool {
	b, err := os.ReadFile(e.memoPath(name))
	if err != nil {
		return false
	}
	var f memoFile
	if err := json.Unmarshal(b, &f); err != nil {
		e.c.logf("entry %s: memo %s is damaged (%v): working it out again", e.Manifest.ID[:12], name, err)
		return false
	}
	if sum := sha256.Sum256(f.Data); hex.EncodeToString(sum[:]) != f.SHA256 {
		e.c.logf("entry %s: memo %s is damaged (its checksum differs): working it out again", e.Manifest.ID[:12], name)
		return false
	}
	if err := json.Unmarshal(f.Data, v); err != nil {
		e.c.logf("entry %s: memo %s is damaged (%v): working it out again", e.Manifest.ID[:12], name, err)
		return false
	}
	return true
}

// SetMemo keeps v (JSON) as the memo name: written aside and renamed into
// place, under the entry's shared lock (a removal waits for it).
func (e *Entry) SetMemo(ctx context.Context, name string, v any) error {
	if strings.ContainsAny(name, `/\`) || name == "" {
		return fmt.Errorf("cache: memo name %q", name)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	b, err := json.Marshal(memoFile{SHA256: hex.EncodeToString(sum[:]), Data: data})
	if err != nil {
		return err
	}
	l, err := e.c.lockShared(ctx, e.Manifest.ID)
	if err != nil {
		return err
	}
	defer l.unlock()
	if _, err := os.Stat(filepath.Join(e.Dir, manifestName)); err != nil {
		return fmt.Errorf("cache: entry %s was removed meanwhile", e.Manifest.ID[:12])
	}
	dir := filepath.Join(e.Dir, memoDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".memo-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), e.memoPath(name))
	}
	if werr != nil {
		_ = os.Remove(f.Name())
	}
	return werr
}
