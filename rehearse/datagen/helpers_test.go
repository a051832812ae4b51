package datagen

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
	"github.com/rehearse/rehearse/snapshot"
)

// testDB is a server started for a test with one database created.
type testDB struct {
	srv    *engine.Server
	db     *sql.DB // no default database
	name   string
	flavor engine.Flavor
}

func startDB(t *testing.T, target testserver.Target, dbName string) *testDB {
	t.Helper()
	srv := testserver.Start(t, target)
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(8)
	testserver.Exec(t, db, "CREATE DATABASE "+mysqlkit.Quote(dbName)+" CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
	return &testDB{srv: srv, db: db, name: dbName, flavor: srv.Flavor}
}

// createDB makes another database on the same server.
func (d *testDB) createDB(t *testing.T, name string) {
	t.Helper()
	testserver.Exec(t, d.db, "CREATE DATABASE "+mysqlkit.Quote(name)+" CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// execIn runs a script (split by the project's splitter) in database name.
func execIn(t testing.TB, d *testDB, name, script string) {
	t.Helper()
	conn, err := d.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "USE "+mysqlkit.Quote(name)); err != nil {
		t.Fatal(err)
	}
	stmts, err := sqlsplit.SplitString(script, sqlsplit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if strings.TrimSpace(s.Text) == "" {
			continue
		}
		if _, err := conn.ExecContext(context.Background(), s.Text); err != nil {
			t.Fatalf("line %d: %s: %v", s.Line, firstLine(s.Text), err)
		}
	}
}

// capture snapshots the named databases.
func capture(t testing.TB, d *testDB, colStats bool, dbs ...string) *snapshot.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snap, err := snapshot.Capture(ctx, d.db, snapshot.CaptureOptions{Databases: dbs, ColumnStats: colStats, SkipPrivilegeCheck: true})
	if err != nil {
		t.Fatalf("capture: %v", err)
	}
	return snap
}

// setRows sets every table's row count in the snapshot (a schema-only
// capture has none).
func setRows(snap *snapshot.Snapshot, rows map[string]int64) {
	for i := range snap.Schemas {
		for j := range snap.Schemas[i].Tables {
			t := &snap.Schemas[i].Tables[j]
			if n, ok := rows[t.Name]; ok {
				t.Stats.Rows = n
				t.Stats.ExactRows = nil
			}
		}
	}
}

func generate(t testing.TB, d *testDB, snap *snapshot.Snapshot, o Options) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := Generate(ctx, d.db, snap, o)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	for _, n := range res.Notes {
		t.Logf("note: %s", n)
	}
	return res
}

func queryInt(t testing.TB, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}

func queryFloat(t testing.TB, db *sql.DB, q string, args ...any) float64 {
	t.Helper()
	var n sql.NullFloat64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Float64
}

// checksum is CHECKSUM TABLE of db.table.
func checksum(t testing.TB, db *sql.DB, dbName, table string) int64 {
	t.Helper()
	var name string
	var sum sql.NullInt64
	if err := db.QueryRow(fmt.Sprintf("CHECKSUM TABLE %s.%s", mysqlkit.Quote(dbName), mysqlkit.Quote(table))).Scan(&name, &sum); err != nil {
		t.Fatal(err)
	}
	return sum.Int64
}

// noWarnings fails the test when a note says the server warned or dropped rows.
func noWarnings(t testing.TB, res Result) {
	t.Helper()
	for _, n := range res.Notes {
		if strings.Contains(n, "warning") || strings.Contains(n, "were kept") {
			t.Errorf("unexpected: %s", n)
		}
	}
}

// targets are the servers tests loop over: MariaDB 10.11 and MySQL 9.7 when
// this machine has them; every target it has with REHEARSE_LONG=1 (keeps
// the default run short).
func targets() []testserver.Target {
	all := testserver.Targets()
	if testserver.IsLong() {
		return all
	}
	var out []testserver.Target
	for _, t := range all {
		if t.Name == testserver.LocalMariaDB().Name || strings.Contains(t.Name, "mysql") {
			out = append(out, t)
		}
	}
	return out
}

// corpus returns a corpus file's text (see internal/testcorpus).
func corpus(t *testing.T, rel string) string {
	t.Helper()
	return string(testcorpus.File(t, rel))
}
