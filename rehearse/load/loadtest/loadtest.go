// Package loadtest holds test helpers shared by the load and locks tests:
// reading a table's definition from a live server as a snapshot.Table, a
// goroutine-leak check, and a server shared by a package's tests.
package loadtest

import (
	"context"
	"database/sql"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/snapshot"
)

// TableFromServer reads a table's definition the way a snapshot holds it
// (columns and indexes from information_schema), so tests build profiles
// from the real server's view of the schema.
func TableFromServer(t testing.TB, db *sql.DB, schema, table string) *snapshot.Table {
	t.Helper()
	ctx := context.Background()
	tb := &snapshot.Table{Name: table}
	rows, err := db.QueryContext(ctx, `SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
		CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, IFNULL(GENERATION_EXPRESSION, ''),
		IFNULL(CHARACTER_SET_NAME, ''), IFNULL(COLLATION_NAME, '')
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, schema, table)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c snapshot.Column
		var nullable string
		var def sql.NullString
		var cml, np, ns sql.NullInt64
		if err := rows.Scan(&c.Name, &c.Position, &c.Type, &c.DataType, &nullable, &def, &c.Extra, &cml, &np, &ns, &c.Generated, &c.Charset, &c.Collation); err != nil {
			t.Fatal(err)
		}
		c.Nullable = nullable == "YES"
		if def.Valid {
			c.Default = &def.String
		}
		if cml.Valid {
			c.CharMaxLength = &cml.Int64
		}
		if np.Valid {
			c.NumericPrecision = &np.Int64
		}
		if ns.Valid {
			c.NumericScale = &ns.Int64
		}
		tb.Columns = append(tb.Columns, c)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`, schema, table)
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for rows.Next() {
		var name, col string
		var nonUnique int
		if err := rows.Scan(&name, &nonUnique, &col); err != nil {
			t.Fatal(err)
		}
		i, ok := idx[name]
		if !ok {
			i = len(tb.Indexes)
			idx[name] = i
			tb.Indexes = append(tb.Indexes, snapshot.Index{Name: name, Primary: name == "PRIMARY", Unique: nonUnique == 0})
		}
		tb.Indexes[i].Columns = append(tb.Indexes[i].Columns, snapshot.IndexColumn{Name: col})
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME
		FROM information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = ? AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
		ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION`, schema, table)
	if err != nil {
		t.Fatal(err)
	}
	fks := map[string]int{}
	for rows.Next() {
		var name, col, rs, rt, rc string
		if err := rows.Scan(&name, &col, &rs, &rt, &rc); err != nil {
			t.Fatal(err)
		}
		i, ok := fks[name]
		if !ok {
			i = len(tb.ForeignKeys)
			fks[name] = i
			tb.ForeignKeys = append(tb.ForeignKeys, snapshot.ForeignKey{Name: name, RefSchema: rs, RefTable: rt})
		}
		tb.ForeignKeys[i].Columns = append(tb.ForeignKeys[i].Columns, col)
		tb.ForeignKeys[i].RefColumns = append(tb.ForeignKeys[i].RefColumns, rc)
	}
	rows.Close()
	return tb
}

// MustExec runs statements and fails the test on the first error.
func MustExec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", strings.SplitN(s, "\n", 2)[0], err)
		}
	}
}

// CheckGoroutines fails the test when goroutines started during it are
// still running a little after it ends. Call it first in the test so its
// cleanup runs last (after the pools and servers are closed).
func CheckGoroutines(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutine leak: %d before, %d after\n%s", before, n, buf)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// FillRows inserts n rows into schema.table with INSERT ... SELECT over a
// cross join of digits, on MySQL and MariaDB alike. expr is the select
// list, in terms of the row number n (1..rows), e.g. "n, n / 7, CONCAT('c', n)".
func FillRows(t testing.TB, db *sql.DB, schema, table, cols, expr string, rows int) {
	t.Helper()
	MustExec(t, db,
		"CREATE TABLE IF NOT EXISTS "+schema+".digits (d INT PRIMARY KEY)",
		"INSERT IGNORE INTO "+schema+".digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)")
	q := "INSERT INTO " + schema + "." + table + " (" + cols + ") SELECT " + expr + " FROM (SELECT 1 + a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d + 100000*g.d AS n FROM " +
		schema + ".digits a, " + schema + ".digits b, " + schema + ".digits c, " + schema + ".digits e, " + schema + ".digits f, " + schema + ".digits g) s WHERE n <= ?"
	if _, err := db.Exec(q, rows); err != nil {
		t.Fatalf("fill %s.%s: %v", schema, table, err)
	}
}

// Shared is a server shared by the tests of a package: started by the
// first test that asks for it (or ahead of time by Start), stopped by Stop
// from the package's TestMain after every test has run. Tests that share
// it must not run in parallel with each other unless they keep to their
// own databases.
type Shared struct {
	Target testserver.Target

	once  sync.Once
	asked atomic.Bool
	srv   *engine.Server
	err   error
}

// Start starts the server if it is not started yet and waits for it; it
// may run in its own goroutine, to overlap a slow start with other work.
func (s *Shared) Start() {
	s.asked.Store(true)
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		s.srv, s.err = s.Target.Engine.Start(ctx, s.Target.Options)
	})
}

// Server returns the shared server, starting it if needed; a server that
// cannot start ends the test as testserver.Start would (testserver.Need,
// StartFailed).
func (s *Shared) Server(tb testing.TB) *engine.Server {
	tb.Helper()
	testserver.Need(tb, s.Target)
	s.Start()
	if s.err != nil {
		testserver.StartFailed(tb, s.Target.Name, s.err)
	}
	testserver.Started(tb, s.Target.Name, s.srv)
	return s.srv
}

// Stop stops the server if it was started (waiting for a start under way).
func (s *Shared) Stop() error {
	if !s.asked.Load() {
		return nil // never asked for: nothing to stop
	}
	s.Start() // waits for a start under way
	if s.srv == nil {
		return nil
	}
	return s.srv.Stop(context.Background())
}

// Probe measures how late the test process gets the CPU: a goroutine
// sleeps 1 ms at a time and records by how much each sleep overran. On an
// idle machine the overrun is well under a millisecond; on a loaded one it
// is what the test's own clock readings are late by.
type Probe struct {
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	late []lateAt // overruns above 2 ms
	max  time.Duration
}

type lateAt struct {
	at   time.Time // when the sleep ended
	late time.Duration
}

// StartProbe starts a probe, stopped at test end.
func StartProbe(t testing.TB) *Probe {
	p := &Probe{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for {
			select {
			case <-p.stop:
				return
			default:
			}
			t0 := time.Now()
			time.Sleep(time.Millisecond)
			t1 := time.Now()
			if late := t1.Sub(t0) - time.Millisecond; late > 2*time.Millisecond {
				p.mu.Lock()
				p.late = append(p.late, lateAt{t1, late})
				p.max = max(p.max, late)
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(p.halt)
	return p
}

func (p *Probe) halt() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}

// Lateness is the longest overrun that ended within [from, to]: how late
// a clock reading of the test process in that span can be.
func (p *Probe) Lateness(from, to time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	var m time.Duration
	for _, l := range p.late {
		// An overrun covers [at-late, at]: it matters if it overlaps.
		if !l.at.Before(from) && !l.at.Add(-l.late).After(to) {
			m = max(m, l.late)
		}
	}
	return m
}

// Worst is the longest overrun seen.
func (p *Probe) Worst() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.max
}

// OpenMulti opens a pool on schema of srv that allows multi-statements
// (several statements in one round trip, run back to back on the server
// whatever the test process's scheduling), closed at test end.
func OpenMulti(t testing.TB, srv *engine.Server, schema string) *sql.DB {
	t.Helper()
	cfg, err := mysql.ParseDSN(srv.DSNFor(schema))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MultiStatements = true
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	return db
}

// UnixTime converts a server's UNIX_TIMESTAMP(SYSDATE(6)) to a time.Time.
func UnixTime(s float64) time.Time {
	sec := int64(s)
	return time.Unix(sec, int64((s-float64(sec))*1e9))
}
