package engine

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// A scratch database on a shared server is owned through a named lock of
// the same name (GET_LOCK), held by one connection of the process that
// created it for as long as the database exists. The server releases it
// when that connection ends, whatever ends it (a SIGKILL, a lost machine),
// so a rehearse_* database whose lock nobody holds is left over from a
// process that is gone: `rehearse doctor --dsn` lists it and --clean drops
// it. The lock is taken before the database is created, so a database
// being created is never taken for a stale one.

// ScratchOwner is the named lock that owns scratch database name: the name
// itself, without the _probe suffix of the probe's copy (owned by its
// rehearsal's lock).
func ScratchOwner(name string) string {
	return strings.TrimSuffix(name, "_probe")
}

// LockScratch takes the owner lock of scratch database name on conn, which
// must stay open for as long as the database exists.
func LockScratch(ctx context.Context, conn *sql.Conn, name string) error {
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", ScratchOwner(name)).Scan(&got); err != nil {
		return fmt.Errorf("take the named lock %s that marks the scratch database as in use: %w", ScratchOwner(name), err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("the named lock %s is held by another session: another process uses this scratch name", ScratchOwner(name))
	}
	return nil
}

// StaleScratch lists the rehearse_* databases on the server behind db whose
// owner lock nobody holds: left by a rehearse process that is gone.
func StaleScratch(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'rehearse\_%' ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var stale []string
	for _, n := range names {
		var holder sql.NullInt64
		if err := db.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", ScratchOwner(n)).Scan(&holder); err != nil {
			return nil, err
		}
		if !holder.Valid {
			stale = append(stale, n)
		}
	}
	return stale, nil
}

// DropStaleScratch drops what StaleScratch lists, each after taking its
// owner lock (so a process starting to use the name meanwhile keeps it).
func DropStaleScratch(ctx context.Context, db *sql.DB) ([]string, error) {
	stale, err := StaleScratch(ctx, db)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var dropped []string
	for _, n := range stale {
		if err := LockScratch(ctx, conn, n); err != nil {
			continue // in use again
		}
		_, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+strings.ReplaceAll(n, "`", "``")+"`")
		_, _ = conn.ExecContext(ctx, "SELECT RELEASE_LOCK(?)", ScratchOwner(n))
		if err != nil {
			return dropped, err
		}
		dropped = append(dropped, n)
	}
	return dropped, nil
}

// OpenTarget opens the server of a user's DSN (--dsn, $REHEARSE_TARGET_DSN)
// for rehearse doctor, with the dsn engine's connect timeout. where names
// it for messages; errors never hold the password.
func OpenTarget(ctx context.Context, dsn string) (db *sql.DB, where string, err error) {
	cfg, err := ParseUserDSN(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read the DSN: %s", scrub(err.Error(), passwordIn(dsn)))
	}
	where = describeAddr(cfg)
	password := cfg.Passwd
	cfg.DBName = ""
	if cfg.Timeout == 0 || cfg.Timeout > DSNTimeout {
		cfg.Timeout = DSNTimeout
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, where, fmt.Errorf("%s: %s", where, scrub(err.Error(), password))
	}
	db = sql.OpenDB(conn)
	cctx, cancel := context.WithTimeout(ctx, DSNTimeout)
	defer cancel()
	if err := db.PingContext(cctx); err != nil {
		db.Close()
		return nil, where, fmt.Errorf("cannot connect to %s: %s", where, scrub(err.Error(), password))
	}
	return db, where, nil
}
