package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/snapshot"
)

// TestExport exports every variant and reads it back the way a user's
// `rehearse run --config rehearse.yaml` would: the config, the snapshot
// through snapshot.LoadFile, the migrations, the expectations.
func TestExport(t *testing.T) {
	for _, s := range All() {
		for _, v := range s.Variants {
			dir := filepath.Join(t.TempDir(), "repro")
			res, err := Export(s, ExportOptions{Variant: v.Name, Dir: dir})
			if err != nil {
				t.Fatalf("%s/%s: %v", s.Name, v.Name, err)
			}
			b, err := os.ReadFile(filepath.Join(dir, res.Config))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := parseConfig("rehearse.yaml", b)
			if err != nil {
				t.Fatalf("%s/%s: exported config: %v", s.Name, v.Name, err)
			}
			orig, _ := s.Config(v.Name)
			if cfg.Snapshot != "snapshot.json" || cfg.Migrations != "migrations" || cfg.Scale != orig.Scale ||
				strings.Join(cfg.Inject, ",") != strings.Join(orig.Inject, ",") || len(cfg.Gates) != len(orig.Gates) || cfg.Load != orig.Load {
				t.Errorf("%s/%s: exported config %+v differs from %+v", s.Name, v.Name, cfg, orig)
			}
			snap, err := snapshot.LoadFile(filepath.Join(dir, cfg.Snapshot))
			if err != nil {
				t.Errorf("%s/%s: %v", s.Name, v.Name, err)
			} else if want, _ := s.ReadFile(orig.Snapshot); len(want) == 0 || snap.Source.Flavor == "" {
				t.Errorf("%s/%s: snapshot not exported", s.Name, v.Name)
			}
			migs, _ := s.MigrationFiles(v.Name)
			got, err := os.ReadDir(filepath.Join(dir, "migrations"))
			if err != nil || len(got) != len(migs) {
				t.Errorf("%s/%s: %d migration files exported, want %d (%v)", s.Name, v.Name, len(got), len(migs), err)
			}
			eb, err := os.ReadFile(filepath.Join(dir, "expect.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			exp, err := ParseExpectations("expect.yaml", eb, v.Name)
			want, _ := s.Expectations(v.Name)
			if err != nil || exp.String() != want.String() {
				t.Errorf("%s/%s: exported expectations: %v\n%s\nwant\n%s", s.Name, v.Name, err, exp, want)
			}
			readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
			if !strings.Contains(string(readme), s.Sources[0]) {
				t.Errorf("%s/%s: README lacks the source", s.Name, v.Name)
			}
		}
	}
}

func TestExportStagingSnapshotAlongside(t *testing.T) {
	s, _ := Get("cherry-picked-migration")
	dir := t.TempDir()
	if _, err := Export(s, ExportOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"snapshot.json", "staging.json"} {
		if _, err := snapshot.LoadFile(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestExportMySQL(t *testing.T) {
	s, _ := Get("cherry-picked-migration")
	dir := t.TempDir()
	if _, err := Export(s, ExportOptions{Dir: dir, Flavor: "mysql"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"snapshot.json", "staging.json"} {
		snap, err := snapshot.LoadFile(filepath.Join(dir, f))
		if err != nil || snap.Source.Flavor != "mysql" {
			t.Errorf("%s: %v, flavor %v", f, err, snap)
		}
	}
}

func TestExportRefusesToOverwrite(t *testing.T) {
	s, _ := Get("mdl-pileup")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rehearse.yaml"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Export(s, ExportOptions{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("export over a file: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "rehearse.yaml")); string(b) != "mine" {
		t.Error("the user's file was changed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("export left %d entries behind", len(entries)-1)
	}
	// --force replaces a previous export only: this folder holds the
	// user's own rehearse.yaml.
	_, err = Export(s, ExportOptions{Dir: dir, Force: true})
	if err == nil || !strings.Contains(err.Error(), "holds no previous export") {
		t.Fatalf("--force over a folder that is not an export: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "rehearse.yaml")); string(b) != "mine" {
		t.Error("--force changed the user's file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("refused --force left %d entries behind", len(entries)-1)
	}
}

// TestExportForceReplacesPreviousExport (issue 13, item 10): export --force
// over an earlier export of another scenario leaves exactly the new
// scenario's files and the user's own, none of the earlier one's; it
// refuses to replace a file the user changed since; a manifest that names
// a file outside the folder or through a symbolic link removes nothing.
func TestExportForceReplacesPreviousExport(t *testing.T) {
	list := func(dir string) map[string]bool {
		out := map[string]bool{}
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				out[filepath.ToSlash(rel)] = true
			}
			return nil
		})
		return out
	}
	first, _ := Get("half-applied-migration")
	second, _ := Get("mdl-pileup")
	dir := t.TempDir()
	if _, err := Export(first, ExportOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("the user's"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := list(dir)
	alone := filepath.Join(t.TempDir(), "alone")
	if _, err := Export(second, ExportOptions{Dir: alone}); err != nil {
		t.Fatal(err)
	}
	want := list(alone)
	want["notes.txt"] = true

	if _, err := Export(second, ExportOptions{Dir: dir, Force: true}); err != nil {
		t.Fatalf("--force over the previous export: %v", err)
	}
	got := list(dir)
	for f := range got {
		if !want[f] {
			t.Errorf("%s left behind (the previous export wrote it: %v)", f, before[f])
		}
	}
	for f := range want {
		if !got[f] {
			t.Errorf("%s missing after --force", f)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "the user's" {
		t.Errorf("the user's file changed")
	}
	if _, err := os.Stat(filepath.Join(dir, "migrations")); err != nil {
		t.Errorf("migrations/: %v", err)
	}

	// A file of the export that the user edited is not replaced.
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(readme, []byte("my notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	snapshotBefore := list(dir)
	_, err := Export(first, ExportOptions{Dir: dir, Force: true})
	if err == nil || !strings.Contains(err.Error(), "README.md") {
		t.Fatalf("--force over an edited README.md: %v", err)
	}
	if b, _ := os.ReadFile(readme); string(b) != "my notes" {
		t.Error("the edited README.md was replaced")
	}
	if after := list(dir); len(after) != len(snapshotBefore) {
		t.Errorf("a refused --force changed the folder: %d files, had %d", len(after), len(snapshotBefore))
	}

	// A crafted manifest: a path outside the folder, or through a link.
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.txt")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("keep"))
	digest := hex.EncodeToString(sum[:])
	for name, rel := range map[string]string{"parent": "../" + filepath.Base(outside) + "/victim.txt", "link": "via/victim.txt"} {
		d := t.TempDir()
		if err := os.Symlink(outside, filepath.Join(d, "via")); err != nil {
			t.Fatal(err)
		}
		if name == "parent" {
			d = filepath.Join(filepath.Dir(outside), "export-"+name)
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(d)
		}
		m := `{"format":"rehearse.export/v1","scenario":"x","variant":"unsafe","files":{"` + rel + `":"` + digest + `"}}`
		if err := os.WriteFile(filepath.Join(d, ".rehearse-export.json"), []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Export(second, ExportOptions{Dir: d, Force: true}); err == nil {
			t.Errorf("%s: --force with a manifest naming %s succeeded", name, rel)
		}
		if b, err := os.ReadFile(victim); err != nil || string(b) != "keep" {
			t.Fatalf("%s: the file outside the folder was removed or changed (%v)", name, err)
		}
	}
}

func TestExportUnknownVariant(t *testing.T) {
	s, _ := Get("mdl-pileup")
	dir := filepath.Join(t.TempDir(), "x")
	if _, err := Export(s, ExportOptions{Dir: dir, Variant: "staging"}); err == nil {
		t.Fatal("exported a variant the scenario does not have")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("the folder was created anyway")
	}
}
