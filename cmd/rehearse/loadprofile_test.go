package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/load"
)

// The written profile is a valid profile of the seed incident's tables; fed
// back, it is checked and written again with --load as its rate.
func TestLoadProfileWriteAndReadBack(t *testing.T) {
	dir := exportSeed(t)
	snap, mig := filepath.Join(dir, "snapshot.json"), filepath.Join(dir, "migrations")
	code, out, errOut := runRehearse(t, nil, "load-profile", "--snapshot", snap, "--migrations", mig)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	f, err := load.ParseProfile([]byte(out), "stdout")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if f.Rate != 200 || len(f.Operations) == 0 || !strings.HasPrefix(out, "# rehearse load profile") || !strings.Contains(out, "table: investments") {
		t.Errorf("written profile:\n%s", out)
	}
	path := filepath.Join(t.TempDir(), "load.yaml")
	if code, _, errOut := runRehearse(t, nil, "load-profile", "--snapshot", snap, "--migrations", mig, "-o", path); code != 0 || !strings.Contains(errOut, "written to "+path) {
		t.Fatalf("-o: exit %d\n%s", code, errOut)
	}
	code, out, errOut = runRehearse(t, nil, "load-profile", "--snapshot", snap, "--migrations", mig, "--load-profile", path, "--load", "33")
	if code != 0 {
		t.Fatalf("read back: exit %d\n%s", code, errOut)
	}
	if g, err := load.ParseProfile([]byte(out), "stdout"); err != nil || g.Rate != 33 || len(g.Operations) != len(f.Operations) {
		t.Errorf("read back with --load 33: %v\n%s", err, out)
	}
}

// Bad profiles stop `rehearse run` with exit code 2 before any server
// starts, naming the file and the line; rehearse.yaml's inline profile
// names the config's own line.
func TestLoadProfileBadInput(t *testing.T) {
	dir := exportSeed(t)
	snap, mig := filepath.Join(dir, "snapshot.json"), filepath.Join(dir, "migrations")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("format: rehearse.load-profile/v1\noperations:\n  - table: investments\n    kind: update-by-pk\n    columns: [colour]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runRehearse(t, nil, "run", "--snapshot", snap, "--migrations", mig, "--engine", "local", "--load-profile", bad)
	if code != 2 || !strings.Contains(errOut, bad+":3: operation 1: column colour is not in") || !strings.Contains(errOut, "Try: ") || out != "" {
		t.Errorf("unknown column: exit %d\nstdout %q\n%s", code, out, errOut)
	}

	cfg := filepath.Join(t.TempDir(), "rehearse.yaml")
	conf := "snapshot: " + snap + "\nmigrations: " + mig + `
load:
  rate: 100
  profile:
    format: rehearse.load-profile/v1
    operations:
      - table: investments
        kind: upsert
`
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runRehearse(t, nil, "load-profile", "--config", cfg)
	if want := cfg + `:8: operation 1: unknown kind "upsert"`; code != 2 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "Try: use one of those") {
		t.Errorf("inline unknown kind: exit %d, want a message with %q\n%s", code, want, errOut)
	}
	// Fixed, the inline profile is the one written (with load.rate).
	if err := os.WriteFile(cfg, []byte(strings.Replace(conf, "upsert", "point-read", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runRehearse(t, nil, "load-profile", "--config", cfg)
	if g, err := load.ParseProfile([]byte(out), "stdout"); code != 0 || err != nil || g.Rate != 100 || len(g.Operations) != 1 || g.Operations[0].Kind != load.OpRead {
		t.Errorf("inline profile: exit %d, %v\n%s%s", code, err, out, errOut)
	}
}
