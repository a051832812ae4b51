package datacache

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCheckFilesContent: a byte changed in a file of the same size is found
// by its checksum; the untouched files pass.
func TestCheckFilesContent(t *testing.T) {
	dir := t.TempDir()
	for name, size := range map[string]int{"ibdata1": 3 << 20, "invest/investments.ibd": 5<<20 + 123, "empty": 0} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o700)
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(i * 7)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files, _, _, err := listFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := sumFiles(context.Background(), dir, files); err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Files: files}
	if why, err := m.checkFiles(context.Background(), dir); why != "" || err != nil {
		t.Fatalf("untouched files: %q, %v", why, err)
	}
	p := filepath.Join(dir, "invest", "investments.ibd")
	f, _ := os.OpenFile(p, os.O_RDWR, 0)
	f.WriteAt([]byte{0}, 4<<20+1)
	f.Close()
	why, err := m.checkFiles(context.Background(), dir)
	if err != nil || !strings.Contains(why, "invest/investments.ibd's content differs") {
		t.Fatalf("one byte changed: %q, %v", why, err)
	}
}

// TestPruneRemovesUnreadable: an entry folder of another format (an older
// rehearse) or without a manifest is removed by Prune, never left to take
// disk uncounted; complete entries and build folders of live processes stay.
func TestPruneRemovesUnreadable(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	old := filepath.Join(c.Dir, "0123456789abcdef0123456789abcdef")
	os.MkdirAll(filepath.Join(old, "datadir"), 0o700)
	b, _ := json.Marshal(map[string]any{"format": "rehearse.datacache/v1", "id": filepath.Base(old)})
	os.WriteFile(filepath.Join(old, manifestName), b, 0o600)
	partial := filepath.Join(c.Dir, "fedcba9876543210fedcba9876543210")
	os.MkdirAll(filepath.Join(partial, "datadir"), 0o700)
	good := filepath.Join(c.Dir, "00112233445566778899aabbccddeeff")
	os.MkdirAll(filepath.Join(good, "datadir"), 0o700)
	m := &Manifest{Format: Format, ID: filepath.Base(good), Files: []File{{Path: "x"}}}
	if err := m.write(good); err != nil {
		t.Fatal(err)
	}
	building := filepath.Join(c.Dir, ".build-"+strconv.Itoa(os.Getpid())+"-1")
	os.MkdirAll(building, 0o700)
	if _, err := c.Prune(context.Background(), PruneOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{old, partial} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s left", filepath.Base(p))
		}
	}
	for _, p := range []string{good, building} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed", filepath.Base(p))
		}
	}
}
