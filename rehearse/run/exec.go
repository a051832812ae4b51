package run

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// execResult is what running one statement on its own connection observed.
type execResult struct {
	ConnID       int64
	Start, End   time.Time
	RowsAffected int64
	Err          error
	Code         int
	// Warnings are the server's notes and warnings of a DDL statement
	// ("1265: Data truncated for column 'd' at row 1"): a narrowed
	// column's values changed.
	Warnings []string
	// GTID is the statement's own transaction on the primary (with
	// replicas: how a replica's applier work is found), "" otherwise.
	GTID string
}

// execStatement runs one migration statement on a fresh connection of its
// own with lock_wait_timeout set, so the lock monitor can attribute waits to
// it by connection id. A statement error is part of the result, not a
// returned error; the returned error means the statement could not be run at
// all (no connection).
// gtidOf, when set, reads the statement's own GTID on its connection after
// it ran (rehearsals with replicas).
func execStatement(ctx context.Context, db *sql.DB, schema, stmt string, lockWait time.Duration, onConn func(id int64), gtidOf func(context.Context, *sql.Conn) string) (execResult, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return execResult{}, fmt.Errorf("open a connection for the migration: %w", err)
	}
	defer conn.Close()
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		return execResult{}, err
	}
	if schema != "" {
		if _, err := conn.ExecContext(ctx, "USE "+mysqlkit.Quote(schema)); err != nil {
			return execResult{}, err
		}
	}
	if lockWait > 0 {
		secs := int64(lockWait.Round(time.Second) / time.Second)
		if secs < 1 {
			secs = 1
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET SESSION lock_wait_timeout = %d", secs)); err != nil {
			return execResult{}, err
		}
	}
	if onConn != nil {
		onConn(id)
	}
	r := execResult{ConnID: id, Start: time.Now()}
	res, err := conn.ExecContext(ctx, stmt)
	r.End = time.Now()
	if err != nil {
		r.Err = err
		r.Code = mysqlkit.Code(err)
		return r, nil
	}
	r.RowsAffected, _ = res.RowsAffected()
	if isDDL(stmt) {
		r.Warnings = load.SessionWarnings(ctx, conn, true)
	}
	if gtidOf != nil {
		r.GTID = gtidOf(ctx, conn)
	}
	return r, nil
}

// holdLongTxn opens a transaction that reads table and keeps it open for d
// (or until ctx ends): the metadata-lock pile-up of the Icinga incident. The
// transaction has its shared metadata lock when ready is closed.
func holdLongTxn(ctx context.Context, db *sql.DB, schema, table string, d time.Duration, ready chan<- struct{}, onConn func(id int64)) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		close(ready)
		return err
	}
	defer conn.Close()
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		close(ready)
		return err
	}
	onConn(id)
	if _, err := conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
		close(ready)
		return err
	}
	rows, err := conn.QueryContext(ctx, fmt.Sprintf("SELECT * FROM %s.%s LIMIT 1", mysqlkit.Quote(schema), mysqlkit.Quote(table)))
	if err != nil {
		close(ready)
		return fmt.Errorf("long-txn: read %s.%s: %w", schema, table, err)
	}
	for rows.Next() {
	}
	rows.Close()
	close(ready)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	_, err = conn.ExecContext(context.Background(), "ROLLBACK")
	return err
}
