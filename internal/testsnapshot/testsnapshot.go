// Package testsnapshot makes the production snapshots tests start from: a
// fresh server of the target, a script of DDL run on it, a capture.
package testsnapshot

import (
	"context"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
	"github.com/rehearse/rehearse/snapshot"
)

// Capture starts a server of target, runs script on it on one connection
// (split into statements by sqlsplit, as migrations are), captures it with
// opts and stops the server.
func Capture(t *testing.T, target testserver.Target, script string, opts snapshot.CaptureOptions) *snapshot.Snapshot {
	t.Helper()
	src := testserver.Start(t, target)
	db, err := src.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts, err := sqlsplit.SplitString(script, sqlsplit.Options{File: "script"})
	if err != nil {
		t.Fatal(err)
	}
	// One connection, so that a USE in the script holds for what follows.
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.ExecContext(context.Background(), s.Text); err != nil {
			t.Fatalf("%s line %d: %v", s.File, s.Line, err)
		}
	}
	snap, err := snapshot.Capture(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	return snap
}
