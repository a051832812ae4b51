package datacache

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMemo: a memo reads back as written; a damaged one (a byte changed, a
// truncated file) or a missing one reads as none and says so, so the caller
// works the answer out again; SetMemo replaces it; an entry removed
// meanwhile takes no memo. No server: memos are files beside the datadir.
func TestMemo(t *testing.T) {
	var log bytes.Buffer
	c := &Cache{Dir: t.TempDir(), Log: &log}
	id := strings.Repeat("ab", 16)
	dir := filepath.Join(c.Dir, id)
	if err := os.MkdirAll(filepath.Join(dir, "datadir"), 0o700); err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Format: Format, ID: id}
	if err := m.write(dir); err != nil {
		t.Fatal(err)
	}
	e := &Entry{Dir: dir, Manifest: m, c: c}
	type answer struct {
		Algorithm string            `json:"algorithm"`
		ByVersion map[string]string `json:"by_version"`
	}
	want := answer{Algorithm: "INPLACE", ByVersion: map[string]string{"20240306": "LOCK=NONE"}}
	name := MemoName("probe", "schema=invest", "20240306 DROP INDEX uq ON investments")
	if other := MemoName("probe", "schema=invest", "20240306 DROP INDEX uq ON investments2"); other == name {
		t.Fatalf("two statements, one memo name %s", name)
	}
	var got answer
	if e.Memo(name, &got) {
		t.Fatal("a memo never written reads as present")
	}
	ctx := context.Background()
	if err := e.SetMemo(ctx, name, want); err != nil {
		t.Fatal(err)
	}
	if !e.Memo(name, &got) || got.Algorithm != want.Algorithm || got.ByVersion["20240306"] != "LOCK=NONE" {
		t.Fatalf("memo read back as %+v, want %+v", got, want)
	}
	p := e.memoPath(name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	damages := map[string][]byte{
		"a byte changed": bytes.Replace(b, []byte("INPLACE"), []byte("INPLACF"), 1),
		"truncated":      b[:len(b)/2],
	}
	for what, bad := range damages {
		if bytes.Equal(bad, b) {
			t.Fatalf("%s: the damage changed nothing", what)
		}
		if err := os.WriteFile(p, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		log.Reset()
		got = answer{}
		if e.Memo(name, &got) {
			t.Errorf("%s: a damaged memo read as %+v", what, got)
		}
		if !strings.Contains(log.String(), "is damaged") {
			t.Errorf("%s: the log does not say the memo is damaged: %q", what, log.String())
		}
	}
	if err := e.SetMemo(ctx, name, want); err != nil {
		t.Fatal(err)
	}
	if !e.Memo(name, &got) || got.Algorithm != want.Algorithm {
		t.Fatalf("memo written again read back as %+v", got)
	}
	if ok, err := c.tryRemove(id); !ok || err != nil {
		t.Fatalf("remove the entry: %v %v", ok, err)
	}
	if err := e.SetMemo(ctx, name, want); err == nil {
		t.Error("SetMemo on a removed entry succeeded")
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("SetMemo brought a removed entry's folder back")
	}
}
