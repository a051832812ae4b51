package redact

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o077) // the mode is the one asked for, whatever the umask
	defer syscall.Umask(old)
	p := filepath.Join(dir, "report.json")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte(`{"dsn": "app:hunter22@tcp(db:3306)/app"}`), Perm); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if strings.Contains(string(b), "hunter22") || !strings.Contains(string(b), "app:*****@tcp") {
		t.Errorf("written: %s", b)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != Perm {
		t.Errorf("mode %v, want %v", st.Mode().Perm(), Perm)
	}
	s := filepath.Join(dir, "prod.json")
	if err := WriteFile(s, []byte("{}"), SnapshotPerm); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(s); st.Mode().Perm() != 0o600 {
		t.Errorf("snapshot mode %v, want 0600", st.Mode().Perm())
	}
	// A folder that does not exist: an error, and nothing written anywhere.
	if err := WriteFile(filepath.Join(dir, "missing", "x.json"), []byte("x"), Perm); err == nil {
		t.Error("no error writing into a missing folder")
	}
	// A failed rename (the target is a folder): the old content stays, no
	// temporary file remains.
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "out"), []byte("x"), Perm); err == nil {
		t.Error("no error replacing a folder")
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "out,prod.json,report.json" {
		t.Errorf("folder holds %v: a temporary file was left behind", names)
	}
}
