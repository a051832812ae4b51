package main

import (
	"strings"
	"testing"
)

// TestRunNothingPendingAndRefused: a release whose every migration
// production already has is a pass that says why, without starting a
// server; a run refused before its plan (RH008 at its default) is an
// error whose report does not claim "No pending migrations.".
func TestRunNothingPendingAndRefused(t *testing.T) {
	requireLocalMariaDB(t)
	applied := map[string]string{}
	for name, body := range shopMigrations {
		if !strings.HasPrefix(name, "00003") {
			applied[name] = body
		}
	}
	f := newShop(t, applied)
	code, stdout, stderr := runRehearse(t, nil, "run", "--engine", "local", "--snapshot", f.Snapshot, "--migrations", f.Migrations)
	want := "nothing to rehearse: production's history (goose shop.goose_db_version, newest 2) already has every migration in " + f.Migrations
	if code != 0 || !strings.HasPrefix(stdout, "PASS") || !strings.Contains(oneLine(stdout), want) || !strings.Contains(stderr, want) {
		t.Errorf("nothing pending: exit %d, want 0 saying %q\n%s%s", code, want, stdout, stderr)
	}
	if strings.Contains(stderr, "provision") || strings.Contains(stderr, "local engine: starting") {
		t.Errorf("nothing pending, yet a server was started:\n%s", stderr)
	}

	g := newShop(t, gooseUnrelated)
	code, stdout, stderr = runRehearse(t, nil, "run", "--engine", "local", "--snapshot", g.Snapshot, "--migrations", g.Migrations)
	if code != 2 || !strings.HasPrefix(stdout, "ERROR") || strings.Contains(stdout, "No pending migrations") || strings.Contains(stdout, "scale") {
		t.Errorf("refused run: exit %d, want 2 and a report that claims nothing about the release\n%s%s", code, stdout, stderr)
	}
}
