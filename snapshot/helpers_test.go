package snapshot_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strings"
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

func mustExec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

type snapshotDB struct{ db *sql.DB }

// jsonDiff returns the first differing lines of two values' indented JSON.
func jsonDiff(a, b any) string {
	ja, _ := json.MarshalIndent(a, "", " ")
	jb, _ := json.MarshalIndent(b, "", " ")
	la, lb := strings.Split(string(ja), "\n"), strings.Split(string(jb), "\n")
	var out []string
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			out = append(out, fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, x, y))
			if len(out) == 8 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
