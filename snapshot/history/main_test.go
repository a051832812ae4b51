package history_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot/history"
)

// One MariaDB sandbox for the package; each test works in its own database.
var (
	db       *sql.DB
	startErr error
	dbSeq    atomic.Int32
)

func TestMain(m *testing.M) {
	t := testserver.LocalMariaDB()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	srv, err := t.Engine.Start(ctx, t.Options)
	cancel()
	code := 0
	if err != nil {
		startErr = err
		code = m.Run()
	} else {
		db, err = srv.Open("")
		if err != nil {
			startErr = err
		}
		code = m.Run()
		if db != nil {
			db.Close()
		}
		_ = srv.Stop(context.Background())
	}
	os.Exit(code)
}

// fixture creates a database holding the statements' objects and returns
// the shape of table (as capture sees it) and the database's name.
func fixture(t *testing.T, table string, stmts ...string) history.Shape {
	t.Helper()
	if startErr != nil {
		testserver.StartFailed(t, "local-mariadb", startErr)
	}
	schema := fmt.Sprintf("h%d", dbSeq.Add(1))
	run := func(q string) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	run("CREATE DATABASE " + schema)
	t.Cleanup(func() { db.Exec("DROP DATABASE " + schema) })
	for _, s := range stmts {
		run(strings.ReplaceAll(s, "{db}", schema))
	}
	sh := history.Shape{Schema: schema, Table: table, Others: map[string]bool{}}
	rows, err := db.Query("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", schema, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c history.Column
		if err := rows.Scan(&c.Name, &c.DataType, &c.Type); err != nil {
			t.Fatal(err)
		}
		sh.Columns = append(sh.Columns, c)
	}
	trs, err := db.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", schema)
	if err != nil {
		t.Fatal(err)
	}
	defer trs.Close()
	for trs.Next() {
		var n string
		trs.Scan(&n)
		sh.Others[strings.ToLower(n)] = true
	}
	return sh
}

// check detects the runner of sh, reads the table and compares the entries
// (version, name, dirty, failed, checksum, applied-at presence) with want.
func check(t *testing.T, sh history.Shape, runner string, want []history.Entry) {
	t.Helper()
	r, ok := history.Detect(sh)
	if !ok {
		t.Fatalf("%s.%s: no runner detected, want %s", sh.Schema, sh.Table, runner)
	}
	if r.Runner() != runner {
		t.Fatalf("%s.%s: detected %s, want %s", sh.Schema, sh.Table, r.Runner(), runner)
	}
	got, err := r.Read(context.Background(), db, sh.Schema, sh.Table)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("entries = %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Version != w.Version || g.Name != w.Name || g.Dirty != w.Dirty || g.Failed != w.Failed || g.Checksum != w.Checksum ||
			(w.AppliedAt != nil) != (g.AppliedAt != nil) || (w.AppliedAt != nil && !w.AppliedAt.Equal(*g.AppliedAt)) {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
}

func at(s string) *time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return &t
}

// notDetected asserts that no reader claims sh by name and shape.
func notDetected(t *testing.T, sh history.Shape) {
	t.Helper()
	if r, ok := history.Detect(sh); ok {
		t.Errorf("%s detected as %s, want none", sh.Table, r.Runner())
	}
}
