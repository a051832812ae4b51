package snapshot_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/snapshot"
)

// minimal is a small valid document written by Write.
func minimal(t *testing.T) []byte {
	t.Helper()
	def := "x"
	s := &snapshot.Snapshot{Format: snapshot.FormatV1, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Source:   snapshot.Source{Flavor: "mysql", Version: "8.0.36", ServerUUID: "3e11fa47-71ca-11e1-9e33-c80aa9429562"},
		Settings: map[string]string{"lock_wait_timeout": "50"},
		Schemas: []snapshot.Schema{{Name: "app", Tables: []snapshot.Table{{Name: "t", CreateSQL: "CREATE TABLE `t` (`a` int)",
			Columns: []snapshot.Column{{Name: "a", Position: 1, Type: "int", DataType: "int", Nullable: true, Default: &def}}}}}}}
	var buf bytes.Buffer
	if err := snapshot.Write(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLoadValid(t *testing.T) {
	s, err := snapshot.Load(bytes.NewReader(minimal(t)), "ok.json")
	if err != nil {
		t.Fatal(err)
	}
	if s.Table("app", "t") == nil {
		t.Errorf("table lost")
	}
}

// Every bad document fails with ErrInvalid, a message naming the file and
// what is wrong, and a hint.
func TestLoadBadInput(t *testing.T) {
	good := string(minimal(t))
	cases := []struct {
		name, doc string
		says      []string
	}{
		{"empty", "", []string{"empty"}},
		{"truncated", good[:len(good)/2], []string{"truncated", "line"}},
		{"syntax", strings.Replace(good, `"format":`, `"format";`, 1), []string{"line 2, column"}},
		{"not an object", `[1,2]`, []string{"not a JSON object"}},
		{"not a snapshot", `{"hello": 1}`, []string{"/format is missing", "not a rehearse snapshot"}},
		{"future version", strings.Replace(good, "rehearse.snapshot/v1", "rehearse.snapshot/v9", 1), []string{`"rehearse.snapshot/v9"`, "this build reads rehearse.snapshot/v1"}},
		{"postgres", strings.Replace(good, `"flavor": "mysql"`, `"flavor": "postgres"`, 1), []string{"/source/flavor", "unsupported flavor"}},
		{"hand-edited type", strings.Replace(good, `"nullable": true`, `"nullable": "yes"`, 1), []string{"/schemas/0/tables/0/columns/0/nullable"}},
		{"hand-edited missing", strings.Replace(good, `"create_sql": "CREATE TABLE`, `"create_sqll": "CREATE TABLE`, 1), []string{"/schemas/0/tables/0", "create_sql"}},
		{"negative rows", strings.Replace(good, `"rows": 0`, `"rows": -5`, 1), []string{"/schemas/0/tables/0/stats/rows"}},
		{"bad time", strings.Replace(good, "2026-01-02T03:04:05Z", "yesterday", 1), []string{"/created_at"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := snapshot.Load(strings.NewReader(c.doc), "prod.json")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, snapshot.ErrInvalid) {
				t.Errorf("not ErrInvalid: %v", err)
			}
			msg := err.Error()
			for _, s := range append(c.says, "prod.json") {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not say %q", msg, s)
				}
			}
			if rehearse.Hint(err) == "" {
				t.Errorf("no hint: %v", err)
			}
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	s, err := snapshot.Load(bytes.NewReader(minimal(t)), "ok.json")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "s.json")
	if err := snapshot.WriteFile(p, s); err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.LoadFile(p); err != nil {
		t.Fatal(err)
	}
	if err := snapshot.WriteFile(filepath.Join(dir, "missing", "s.json"), s); err == nil {
		t.Errorf("write into a missing folder: no error")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
}

// The embedded schema and the repository file are the same bytes.
func TestSchemaFileEmbedded(t *testing.T) {
	b, err := os.ReadFile("schema/rehearse.snapshot.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, snapshot.SchemaV1) {
		t.Errorf("embedded schema differs from the file")
	}
}
