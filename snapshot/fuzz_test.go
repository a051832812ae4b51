package snapshot_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/rehearse/rehearse/snapshot"
)

// FuzzLoad: Load never panics; what it refuses is ErrInvalid; what it
// accepts passes Check and survives Write and Load again unchanged.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"format":"rehearse.snapshot/v1"}`))
	f.Add([]byte(`{"format":"rehearse.snapshot/v1","created_at":"2026-01-01T00:00:00Z","source":{"flavor":"mysql","version":"8.0","server_uuid":"x"},"settings":{},` +
		`"schemas":[{"name":"app","tables":[{"name":"t","create_sql":"CREATE x","columns":[],"stats":{"rows":0,"data_bytes":0,"index_bytes":0,"avg_row_length":0}}]}]}`))
	files, _ := filepath.Glob("../scenarios/library/*/production.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := snapshot.Load(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			if !errors.Is(err, snapshot.ErrInvalid) {
				t.Fatalf("refused without ErrInvalid: %v", err)
			}
			return
		}
		if probs := s.Check(); len(probs) > 0 {
			t.Fatalf("Load accepted a snapshot Check refuses: %v", probs)
		}
		var buf bytes.Buffer
		if err := snapshot.Write(&buf, s); err != nil {
			t.Fatal(err)
		}
		again, err := snapshot.Load(&buf, "again.json")
		if err != nil {
			t.Fatalf("a loaded snapshot, written again, does not load: %v", err)
		}
		var b2 bytes.Buffer
		_ = snapshot.Write(&b2, again)
		buf.Reset()
		_ = snapshot.Write(&buf, s)
		if !bytes.Equal(buf.Bytes(), b2.Bytes()) {
			t.Fatalf("write/load/write changed the document")
		}
	})
}

// FuzzCheckCreate: Check never panics on any create_sql of any kind.
func FuzzCheckCreate(f *testing.F) {
	b := checkBase()
	for _, sc := range b.Schemas {
		for _, t := range sc.Tables {
			f.Add(t.CreateSQL)
		}
		for _, v := range sc.Views {
			f.Add(v.CreateSQL)
		}
		for _, t := range sc.Triggers {
			f.Add(t.CreateSQL)
		}
		for _, r := range sc.Routines {
			f.Add(r.CreateSQL)
		}
	}
	f.Add("CREATE /*!50100 DATABASE x */ TABLE `t` (`id` int)")
	f.Add("CREATE x")
	f.Fuzz(func(t *testing.T, sql string) {
		s := checkBase()
		sc := &s.Schemas[0]
		sc.Tables[0].CreateSQL, sc.Views[0].CreateSQL, sc.Triggers[0].CreateSQL = sql, sql, sql
		sc.Routines[0].CreateSQL, sc.Events[0].CreateSQL, s.History[0].CreateSQL = sql, sql, sql
		_ = s.Check()
	})
}
