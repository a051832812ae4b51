package snapshot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// TestExactCountsInChunks: --exact-counts is exact along every kind of key
// (integer, composite with a string part, a unique NOT NULL key without a
// primary key) with chunks far smaller than the tables, and a table with
// no usable key is counted in one bounded statement. On every server.
func TestExactCountsInChunks(t *testing.T) {
	defer snapshot.SetCountChunks(100, 10)()
	for _, tgt := range testserver.Targets() {
		t.Run(tgt.Name, func(t *testing.T) {
			srv := testserver.Start(t, tgt)
			db, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			seq := `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 997) SELECT i FROM c`
			testserver.Exec(t, db, "CREATE DATABASE app",
				"CREATE TABLE app.ints (id int PRIMARY KEY)",
				"INSERT INTO app.ints "+seq,
				"CREATE TABLE app.composite (a int NOT NULL, b varchar(10) NOT NULL, PRIMARY KEY (a, b))",
				"INSERT INTO app.composite (a, b) SELECT i % 7, CONCAT('k', i) FROM ("+seq+") s",
				"CREATE TABLE app.uniq (u varchar(20) NOT NULL, v int, UNIQUE KEY (u))",
				"INSERT INTO app.uniq (u, v) SELECT CONCAT('Ü', i), i FROM ("+seq+") s",
				"CREATE TABLE app.nokey (v int)",
				"INSERT INTO app.nokey SELECT i FROM ("+seq+") s",
				"CREATE TABLE app.empty (id int PRIMARY KEY)")
			var log strings.Builder
			snap, err := snapshot.Capture(context.Background(), db, snapshot.CaptureOptions{Databases: []string{"app"}, ExactCounts: true, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range map[string]int64{"ints": 997, "composite": 997, "uniq": 997, "nokey": 997, "empty": 0} {
				tb := snap.Table("app", name)
				if tb.Stats.ExactRows == nil || *tb.Stats.ExactRows != want {
					t.Errorf("%s: exact_rows %v, want %d", name, tb.Stats.ExactRows, want)
				}
			}
			if log.Len() > 0 {
				t.Errorf("warnings: %s", log.String())
			}
		})
	}
}
