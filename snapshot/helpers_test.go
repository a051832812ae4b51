package snapshot_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/restore"
)

// startMariaDB starts a sandbox for the test and opens it.
func startMariaDB(t *testing.T) (*engine.Server, *sql.DB) {
	t.Helper()
	srv := testserver.Start(t, testserver.LocalMariaDB())
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return srv, db
}

// loadDump loads a corpus dump into db.
func loadDump(t *testing.T, db *sql.DB, rel, database string) {
	t.Helper()
	f, err := os.Open(testcorpus.Dir(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := restore.LoadDump(context.Background(), db, f, restore.DumpOptions{Name: rel, Database: database}); err != nil {
		t.Fatalf("load %s: %v", rel, err)
	}
}

type snapshotDB struct{ db *sql.DB }
