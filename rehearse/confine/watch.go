package confine

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// Violation is what changed on the server outside the scratch database
// while a command ran.
type Violation struct {
	Scratch string
	Changes []string // from information_schema and the accounts: "table app.t: UPDATE_TIME ... -> ..."
	Binlog  []string // databases the binary log's events of the window touched
}

func (v *Violation) Error() string {
	var parts []string
	parts = append(parts, v.Changes...)
	for _, b := range v.Binlog {
		parts = append(parts, "binary log: database "+b)
	}
	return fmt.Sprintf("safety violation: while the command ran, the server changed outside the scratch database %s: %s", v.Scratch, strings.Join(parts, "; "))
}

// Hint says what to do about a Violation.
const Hint = "the command wrote outside its database (DB_DATABASE/MYSQL_DATABASE name the scratch database): fix it, or rehearse on a throwaway server (--engine auto, local or docker); if other clients write to those databases meanwhile, their writes show here too: use a server where nothing else writes during the rehearsal"

// Watch observes a server around a command.
type Watch struct {
	db      *sql.DB
	scratch string
	before  fingerprint
	binlog  *binlogPos
	// Notes say what this watch cannot see (binary log off, accounts
	// not readable), for the log.
	Notes []string
}

// Start records the fingerprint of every database the account can see but
// scratch (and other rehearse_* databases) and the binary log position,
// then waits until the server's clock starts a new second: UPDATE_TIME has
// a one-second grain, so a write after Start always moves it.
func Start(ctx context.Context, db *sql.DB, scratch string) (*Watch, error) {
	conn, err := session(ctx, db)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	w := &Watch{db: db, scratch: scratch}
	var notes []string
	w.before, notes, err = take(ctx, conn, scratch)
	if err != nil {
		return nil, fmt.Errorf("fingerprint of the server's other databases: %w", err)
	}
	w.Notes = append(w.Notes, notes...)
	var note string
	w.binlog, note = binlogPosition(ctx, conn)
	if note != "" {
		w.Notes = append(w.Notes, note)
	}
	var us int64
	if err := conn.QueryRowContext(ctx, "SELECT MICROSECOND(NOW(6))").Scan(&us); err != nil {
		return nil, err
	}
	select {
	case <-time.After(time.Duration(1_000_000-us)*time.Microsecond + 10*time.Millisecond):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return w, nil
}

// Check compares the server with what Start recorded and reads the binary
// log written since; it returns a *Violation when anything outside the
// scratch database changed. Notes gain what could not be read.
func (w *Watch) Check(ctx context.Context) error {
	conn, err := session(ctx, w.db)
	if err != nil {
		return err
	}
	defer conn.Close()
	after, _, err := take(ctx, conn, w.scratch)
	if err != nil {
		return fmt.Errorf("fingerprint of the server's other databases: %w", err)
	}
	v := &Violation{Scratch: w.scratch, Changes: diff(w.before, after)}
	if w.binlog != nil {
		found, unread, err := binlogDatabases(ctx, conn, w.binlog, w.scratch)
		if err != nil {
			w.Notes = append(w.Notes, fmt.Sprintf("the binary log could not be read (%v): the command's writes were compared through information_schema only", err))
		}
		v.Binlog = found
		if len(unread) > 0 {
			w.Notes = append(w.Notes, fmt.Sprintf("%d statements of the binary log could not be read to see which databases they name (the first: %s)", len(unread), unread[0]))
		}
	}
	if len(v.Changes) == 0 && len(v.Binlog) == 0 {
		return nil
	}
	return v
}

// session is a connection whose information_schema statistics are read
// fresh (MySQL caches them for a day by default; MariaDB has no cache).
func session(ctx context.Context, db *sql.DB) (*sql.Conn, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION information_schema_stats_expiry = 0"); err != nil && !mysqlkit.Is(err, mysqlkit.ErrUnknownSystemVariable) { // MariaDB
		conn.Close()
		return nil, err
	}
	return conn, nil
}
