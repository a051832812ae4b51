package snapshot

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// session is the one connection a capture reads through. It is read-only
// (SET SESSION TRANSACTION READ ONLY), bounds every statement's time, and
// runs in autocommit, forced whatever the DSN or the server's init_connect
// asked: no long transaction, because a transaction keeps the metadata lock
// of every table it touched until it ends, and a pending ALTER on production
// would then queue (and block every writer behind it) until the capture
// finished. Statements that read a table's rows are bounded by the lock
// budget (bounded), so an ALTER arriving meanwhile waits at most that long.
type session struct {
	conn    *sql.Conn
	flavor  string // "mysql" | "mariadb"
	version string // full VERSION()
	budget  time.Duration
	log     func(format string, args ...any)
}

// openSession takes a connection from db and makes it read-only, in
// autocommit and time-bounded: catalog statements by timeout, metadata-lock
// waits by the budget.
func openSession(ctx context.Context, db *sql.DB, timeout, budget time.Duration, logf func(string, ...any)) (*session, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, connectError(err)
	}
	s := &session{conn: conn, log: logf, budget: budget}
	// First: a DSN's ?autocommit=0 (or init_connect) would make the
	// connection's first statement open a transaction that holds every
	// table's metadata lock until the capture ends.
	if _, err := conn.ExecContext(ctx, "SET SESSION autocommit = 1"); err != nil {
		discard(conn)
		return nil, connectError(err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&s.version); err != nil {
		discard(conn)
		return nil, connectError(err)
	}
	s.flavor = "mysql"
	if strings.Contains(strings.ToLower(s.version), "mariadb") {
		s.flavor = "mariadb"
	}
	// UTC so TIMESTAMP values (history tables) read the same everywhere.
	setup := []string{"SET SESSION TRANSACTION READ ONLY", "SET SESSION time_zone = '+00:00'"}
	// MySQL's max_execution_time covers SELECT only; SHOW and the rest are
	// bounded by their lock waits and the client's read timeout.
	secs := math.Max(1, timeout.Seconds())
	if s.flavor == "mariadb" {
		setup = append(setup, fmt.Sprintf("SET SESSION max_statement_time = %g", secs))
	} else {
		setup = append(setup, fmt.Sprintf("SET SESSION max_execution_time = %d", int64(secs*1000)))
	}
	// Give up quickly rather than queue behind a pending DDL's metadata lock.
	setup = append(setup, fmt.Sprintf("SET SESSION lock_wait_timeout = %d", lockWaitTimeout(budget)))
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			discard(conn)
			return nil, fmt.Errorf("prepare read-only session (%s): %w", q, err)
		}
	}
	// MySQL 8 caches information_schema statistics for a day by default.
	if _, err := conn.ExecContext(ctx, "SET SESSION information_schema_stats_expiry = 0"); err != nil && !mysqlkit.Is(err, mysqlkit.ErrUnknownSystemVariable) {
		discard(conn)
		return nil, fmt.Errorf("prepare read-only session: %w", err)
	}
	return s, nil
}

// bounded returns a SELECT that reads a table's rows with its time limited
// to the lock budget by the server itself: MariaDB's SET STATEMENT
// max_statement_time, MySQL's MAX_EXECUTION_TIME optimizer hint. A
// statement over the budget fails with a timeout (isTimeout) and has held
// the table's shared metadata lock no longer than that.
func (s *session) bounded(query string) string {
	if s.flavor == "mariadb" {
		return fmt.Sprintf("SET STATEMENT max_statement_time = %.3f FOR %s", s.budget.Seconds(), query)
	}
	ms := max(1, s.budget.Milliseconds())
	return strings.Replace(query, "SELECT ", fmt.Sprintf("SELECT /*+ MAX_EXECUTION_TIME(%d) */ ", ms), 1)
}

// Close discards the connection instead of returning it to db's pool: its
// session is read-only, time-limited and has a current database, which the
// caller's next query must not inherit.
func (s *session) Close() error { return discard(s.conn) }

func discard(conn *sql.Conn) error {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	return conn.Close()
}

// rows runs a query and returns every row as nullable strings keyed by
// column name (lower-cased).
func (s *session) rows(ctx context.Context, query string, args ...any) ([]row, error) {
	rs, err := s.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	for i := range cols {
		cols[i] = strings.ToLower(cols[i])
	}
	var out []row
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := make(row, len(cols))
		for i, c := range cols {
			r[c] = vals[i]
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// row is one result row by lower-cased column name.
type row map[string]sql.NullString

func (r row) str(col string) string { return r[col].String }

func (r row) ptr(col string) *string {
	v, ok := r[col]
	if !ok || !v.Valid {
		return nil
	}
	s := v.String
	return &s
}

func (r row) int(col string) int64 {
	var n int64
	fmt.Sscan(r[col].String, &n)
	return n
}

func (r row) intPtr(col string) *int64 {
	v, ok := r[col]
	if !ok || !v.Valid {
		return nil
	}
	var n int64
	if _, err := fmt.Sscan(v.String, &n); err != nil {
		return nil
	}
	return &n
}

// hasColumns reports which of the named columns an information_schema (or
// performance_schema) table has on this server; catalogs differ by flavor
// and version.
func (s *session) hasColumns(ctx context.Context, schema, table string) (map[string]bool, error) {
	rs, err := s.rows(ctx, "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", schema, table)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range rs {
		out[strings.ToUpper(r.str("c"))] = true
	}
	return out, nil
}

func isTimeout(err error) bool {
	return mysqlkit.Is(err, mysqlkit.ErrQueryTimeout, mysqlkit.ErrStatementTimeout, mysqlkit.ErrLockWaitTimeout)
}

// isLockWait reports a read that was not granted its metadata lock within
// lock_wait_timeout (a DDL or a transaction holds it or is queued for it):
// a smaller read would wait the same, so it is not retried.
func isLockWait(err error) bool { return mysqlkit.Is(err, mysqlkit.ErrLockWaitTimeout) }

// lockWaitTimeout is the session's lock_wait_timeout for a budget, in whole
// seconds (the variable's unit): a second less than the budget rounded up,
// at least 1, so that from a 2 s budget up a read queued for its metadata
// lock fails as a lock wait (1205) before the budget stops it, and is told
// apart from a read of too many rows.
func lockWaitTimeout(budget time.Duration) int64 {
	return int64(math.Max(1, math.Ceil(budget.Seconds())-1))
}

func isAccessDenied(err error) bool {
	return mysqlkit.Is(err, mysqlkit.ErrDBAccessDenied, mysqlkit.ErrTableAccessDenied, mysqlkit.ErrColumnAccessDenied, mysqlkit.ErrSpecificAccessDenied, mysqlkit.ErrProcAccessDenied)
}

// lockWaitNote says why a read of a table gave up waiting for its lock.
func (s *session) lockWaitNote() string {
	return fmt.Sprintf("its metadata lock was not granted within %d s (lock_wait_timeout under --max-lock-hold %s): a DDL or a transaction holds it or is queued for it, and rehearse does not queue behind it", lockWaitTimeout(s.budget), s.budget)
}
