package scenarios

import (
	"bytes"
	"path"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/snapshot"
)

// TestLibraryFiles checks every variant's inputs: the config parses, the
// snapshot loads with snapshot.Load (JSON Schema included), the migrations
// come in up/down pairs, and the expectations parse.
func TestLibraryFiles(t *testing.T) {
	for _, s := range All() {
		for _, v := range s.Variants {
			name := s.Name + "/" + v.Name
			cfg, err := s.Config(v.Name)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			b, err := s.ReadFile(cfg.Snapshot)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			snap, err := snapshot.Load(bytes.NewReader(b), path.Join(s.Name, cfg.Snapshot))
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if len(snap.History) == 0 || len(snap.History[0].Entries) == 0 {
				t.Errorf("%s: snapshot %s has no migration history", name, cfg.Snapshot)
			}
			migs, err := s.MigrationFiles(v.Name)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			checkPairs(t, name, migs)
			if _, err := s.Expectations(v.Name); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}

// checkPairs wants an up and a down for every version, golang-migrate names.
func checkPairs(t *testing.T, name string, files []string) {
	t.Helper()
	ups, downs := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		switch {
		case strings.HasSuffix(f, ".up.sql"):
			ups[strings.TrimSuffix(f, ".up.sql")] = true
		case strings.HasSuffix(f, ".down.sql"):
			downs[strings.TrimSuffix(f, ".down.sql")] = true
		default:
			t.Errorf("%s: %s is not a golang-migrate file name", name, f)
		}
	}
	if len(ups) == 0 {
		t.Errorf("%s: no migrations", name)
	}
	for u := range ups {
		if !downs[u] {
			t.Errorf("%s: %s has no down", name, u)
		}
	}
	for d := range downs {
		if !ups[d] {
			t.Errorf("%s: %s has no up", name, d)
		}
	}
}

// TestSnapshotsMatchSchemas guards against a schema/*.sql edited without
// regenerating: every table the SQL creates is in the snapshot.
func TestSnapshotsMatchSchemas(t *testing.T) {
	for _, s := range All() {
		specs := readSpecs(t, s)
		for file, spec := range specs {
			src, err := s.ReadFile(spec.Source)
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			snap, err := snapshot.Load(bytes.NewReader(b), file)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(src), "\n") {
				f := strings.Fields(line)
				if len(f) >= 3 && strings.EqualFold(f[0], "CREATE") && strings.EqualFold(f[1], "TABLE") {
					if snap.Table(spec.Database, f[2]) == nil {
						t.Errorf("%s/%s: table %s of %s is missing: run go test ./scenarios -run TestGenerateSnapshots -update", s.Name, file, f[2], spec.Source)
					}
				}
			}
			for tbl, rows := range spec.Rows {
				if tb := snap.Table(spec.Database, tbl); tb == nil || tb.Stats.Rows != rows {
					t.Errorf("%s/%s: %s should hold production's %d rows", s.Name, file, tbl, rows)
				}
			}
		}
	}
}
