package scenarios

import (
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
	if _, err := Export(s, ExportOptions{Dir: dir, Force: true}); err != nil {
		t.Fatalf("--force: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "rehearse.yaml")); string(b) == "mine" {
		t.Error("--force did not overwrite")
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
