package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exportSeed writes the seed incident's snapshot and migrations to a folder.
func exportSeed(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "s")
	if code, _, errOut := runRehearse(t, nil, "scenarios", "export", "unique-index-rerun", dir); code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	return dir
}

// Bad input is refused before any server starts, with a hint.
func TestCapacityBadInput(t *testing.T) {
	dir := exportSeed(t)
	snap, mig := filepath.Join(dir, "snapshot.json"), filepath.Join(dir, "migrations")

	code, _, errOut := runRehearse(t, nil, "capacity", "--snapshot", snap, "--migrations", mig, "--engine", "local", "--scales", "0.01,0.03,0.1", "--target-scale", "0.05")
	if code != 2 || !strings.Contains(errOut, "target scale 0.05, largest rehearsed scale 0.1") || !strings.Contains(errOut, "--target-scale above") {
		t.Errorf("target below the scales: exit %d\n%s", code, errOut)
	}
	code, _, errOut = runRehearse(t, nil, "capacity", "--snapshot", snap, "--migrations", mig, "--scales", "0.01,x")
	if code != 2 || !strings.Contains(errOut, `"x" is not a positive number`) {
		t.Errorf("bad --scales: exit %d\n%s", code, errOut)
	}
	code, _, errOut = runRehearse(t, nil, "capacity", "--snapshot", snap, "--migrations", mig, "--prod-free-disk", "lots")
	if code != 2 || !strings.Contains(errOut, "200G") {
		t.Errorf("bad --prod-free-disk: exit %d\n%s", code, errOut)
	}

	// A load profile naming a table production does not have: refused
	// before any rehearsal, naming the file and line.
	prof := filepath.Join(dir, "load.yaml")
	if err := os.WriteFile(prof, []byte("format: rehearse.load-profile/v1\noperations:\n  - table: no_such_table\n    kind: insert\n    weight: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runRehearse(t, nil, "capacity", "--snapshot", snap, "--migrations", mig, "--engine", "local", "--load-profile", prof)
	if code != 2 || !strings.Contains(errOut, "no_such_table") || !strings.Contains(errOut, "load.yaml:3") {
		t.Errorf("bad --load-profile: exit %d\n%s", code, errOut)
	}

	// The same snapshot with its row statistics removed.
	raw, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, sc := range doc["schemas"].([]any) {
		for _, tb := range sc.(map[string]any)["tables"].([]any) {
			tb.(map[string]any)["stats"] = map[string]any{"rows": 0, "data_bytes": 0, "index_bytes": 0, "avg_row_length": 0}
		}
	}
	raw, _ = json.Marshal(doc)
	nostats := filepath.Join(dir, "nostats.json")
	if err := os.WriteFile(nostats, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runRehearse(t, nil, "capacity", "--snapshot", nostats, "--migrations", mig, "--engine", "local")
	if code != 2 || !strings.Contains(errOut, "no row statistics") {
		t.Errorf("snapshot without statistics: exit %d\n%s", code, errOut)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "200G": 200 << 30, "1.5T": 3 << 39, "512M": 512 << 20, "64KiB": 64 << 10, "1048576": 1 << 20, "10gb": 10 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"lots", "-1G", "G"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}
