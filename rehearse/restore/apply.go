package restore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot"
)

// Options tune Apply.
type Options struct {
	// Databases maps a snapshot database name to the name to create in the
	// target (e.g. {"app": "rehearse_app"}); unmapped names are kept.
	Databases map[string]string
	// Replace drops a target database that already exists. Without it,
	// Apply refuses to touch an existing database.
	Replace bool
	// SkipHistory leaves the history tables empty.
	SkipHistory bool
	// Log receives one line per step and per warning.
	Log io.Writer
	// Parallel is how many connections create tables at once (default
	// DefaultParallel; 1 = one connection).
	Parallel int
	// RelaxDurability sets innodb_flush_log_at_trx_commit=0 globally while
	// the restore runs (and puts the old value back): a third faster on a
	// throwaway sandbox. Never on a server others use.
	RelaxDurability bool

	// confined: snap is the scope-confined copy of a snapshot Into already
	// validated (its names are the scratch database's, not the declared ones).
	confined bool
}

// ErrExists is wrapped when a target database already exists and Replace is
// not set.
var ErrExists = errors.New("target database exists")

// Apply recreates snap's databases in the server behind db: databases with
// their character set, base tables (with foreign_key_checks=0, so the order
// of tables that reference each other does not matter), routines, views in
// dependency order (views on views, views calling functions), triggers (each with its own sql_mode),
// events, and the history tables' rows. DEFINER clauses are dropped so the
// objects belong to the restoring account (production's accounts do not exist
// in a sandbox). On error, the databases Apply created are dropped again.
func Apply(ctx context.Context, db *sql.DB, snap *snapshot.Snapshot, opts Options) (err error) {
	// Nothing runs for a snapshot whose objects are not what they say
	// (snapshot.Load checked a file already; this covers built ones).
	if err := snap.Validate("snapshot"); !opts.confined && err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("restore: connect: %w", err)
	}
	// The session's settings (foreign_key_checks=0, current database) must
	// not leak into db's pool: discard the connection afterwards.
	defer func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}()
	a := &applier{conn: conn, snap: snap, opts: opts}
	var created []string
	defer func() {
		if err != nil {
			for _, d := range created {
				_, _ = conn.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+mysqlkit.Quote(d))
			}
		}
	}()
	if err := a.session(ctx); err != nil {
		return err
	}
	if opts.RelaxDurability {
		var old string
		if err := conn.QueryRowContext(ctx, "SELECT @@GLOBAL.innodb_flush_log_at_trx_commit").Scan(&old); err == nil {
			if _, err := conn.ExecContext(ctx, "SET GLOBAL innodb_flush_log_at_trx_commit = 0"); err == nil {
				defer conn.ExecContext(context.Background(), "SET GLOBAL innodb_flush_log_at_trx_commit = "+old)
			}
		}
	}
	for _, sc := range snap.Schemas {
		name := a.target(sc.Name)
		made, err := a.createDatabase(ctx, sc, name)
		if err != nil {
			return err
		}
		if made {
			created = append(created, name)
		}
	}
	if err := a.createTables(ctx, db); err != nil {
		return err
	}
	// Routines before views (a view may call a function; a routine body is
	// not resolved until it runs), triggers and events last.
	for _, sc := range snap.Schemas {
		if err := a.routines(ctx, sc); err != nil {
			return err
		}
	}
	for _, sc := range snap.Schemas {
		if err := a.views(ctx, sc); err != nil {
			return err
		}
	}
	for _, sc := range snap.Schemas {
		for _, step := range []func(context.Context, snapshot.Schema) error{a.triggers, a.events} {
			if err := step(ctx, sc); err != nil {
				return err
			}
		}
	}
	if !opts.SkipHistory {
		if err := a.history(ctx); err != nil {
			return err
		}
	}
	return nil
}

type applier struct {
	conn *sql.Conn
	snap *snapshot.Snapshot
	opts Options
}

func (a *applier) target(name string) string {
	if n, ok := a.opts.Databases[name]; ok && n != "" {
		return n
	}
	return name
}

func (a *applier) session(ctx context.Context) error {
	for _, q := range []string{
		"SET SESSION foreign_key_checks = 0",
		"SET SESSION unique_checks = 0",
		"SET NAMES utf8mb4",
		"SET SESSION time_zone = '+00:00'", // history rows were captured in UTC
	} {
		if _, err := a.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("restore: %s: %w", q, err)
		}
	}
	return a.sqlMode(ctx, a.snap.Settings["sql_mode"])
}

// sqlMode sets the session sql_mode (production's, so CREATE statements
// mean what they meant there).
func (a *applier) sqlMode(ctx context.Context, mode string) error {
	if _, err := a.conn.ExecContext(ctx, "SET SESSION sql_mode = ?", mode); err != nil {
		return fmt.Errorf("restore: set sql_mode %q: %w", mode, err)
	}
	return nil
}

func (a *applier) exec(ctx context.Context, what, q string) error {
	if _, err := a.conn.ExecContext(ctx, q); err != nil {
		return rehearse.WithHint(fmt.Errorf("restore %s: %w", what, err),
			"the target server must be able to run production's DDL: start the same flavor and version as the snapshot (%s %s)", a.snap.Source.Flavor, a.snap.Source.Version)
	}
	return nil
}

// createDatabase creates the target database. An existing database that is
// empty (e.g. the dsn engine's scratch database) is used as it is; one that
// holds objects is refused unless Replace. made tells whether Apply created
// it (and so drops it again on failure).
func (a *applier) createDatabase(ctx context.Context, sc snapshot.Schema, name string) (made bool, err error) {
	var exists, objects int
	if err := a.conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).Scan(&exists); err != nil {
		return false, fmt.Errorf("restore: %w", err)
	}
	if exists > 0 {
		err := a.conn.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?)
			+ (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?)
			+ (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?)`, name, name, name).Scan(&objects)
		if err != nil {
			return false, fmt.Errorf("restore: %w", err)
		}
		if objects == 0 {
			logf(a.opts.Log, "restore: database %s (exists, empty)", name)
			return false, a.exec(ctx, "database "+name, "ALTER DATABASE "+mysqlkit.Quote(name)+charsetClause(sc))
		}
		if !a.opts.Replace {
			return false, rehearse.WithHint(fmt.Errorf("restore: %w: database %s already exists on the target and holds %d objects", ErrExists, name, objects),
				"restore into a fresh server, map the database to another name, or replace it (this drops it)")
		}
		if err := a.exec(ctx, "database "+name, "DROP DATABASE "+mysqlkit.Quote(name)); err != nil {
			return false, err
		}
	}
	logf(a.opts.Log, "restore: database %s", name)
	return true, a.exec(ctx, "database "+name, "CREATE DATABASE "+mysqlkit.Quote(name)+charsetClause(sc))
}

func charsetClause(sc snapshot.Schema) string {
	q := ""
	if sc.Charset != "" {
		q += " CHARACTER SET " + sc.Charset
	}
	if sc.Collation != "" {
		q += " COLLATE " + sc.Collation
	}
	return q
}

func (a *applier) use(ctx context.Context, schema string) error {
	return a.exec(ctx, "database "+schema, "USE "+mysqlkit.Quote(a.target(schema)))
}

// createTableSQL turns SHOW CREATE TABLE text into a CREATE TABLE of the
// same table in database target: "CREATE TABLE `name` ..." becomes
// "CREATE TABLE `target`.`name` ...". Text that is not a CREATE TABLE is an
// error, never a panic (snapshot.Check refuses it earlier).
func createTableSQL(target, create string) (string, error) {
	name, def, err := snapshot.TableDefinition(create)
	if err != nil {
		return "", fmt.Errorf("create_sql: %w", err)
	}
	return "CREATE TABLE " + mysqlkit.Quote(target) + "." + mysqlkit.Quote(name) + " " + strings.TrimSpace(def), nil
}

// views creates views in dependency order: a view whose base view does not
// exist yet fails with 1146 and is retried after the others.
func (a *applier) views(ctx context.Context, sc snapshot.Schema) error {
	if err := a.use(ctx, sc.Name); err != nil {
		return err
	}
	pending := append([]snapshot.View(nil), sc.Views...)
	for len(pending) > 0 {
		var next []snapshot.View
		var lastErr error
		for _, v := range pending {
			_, err := a.conn.ExecContext(ctx, a.remap(stripDefiner(v.CreateSQL)))
			if err == nil {
				continue
			}
			if !mysqlkit.Is(err, mysqlkit.ErrNoSuchTable, mysqlkit.ErrViewInvalid) {
				return a.exec(ctx, "view "+sc.Name+"."+v.Name, a.remap(stripDefiner(v.CreateSQL)))
			}
			lastErr = fmt.Errorf("view %s.%s: %w", sc.Name, v.Name, err)
			next = append(next, v)
		}
		if len(next) == len(pending) {
			return rehearse.WithHint(fmt.Errorf("restore: %w", lastErr), "the view refers to a table or view that is not in the snapshot; capture the database it lives in too")
		}
		pending = next
	}
	return nil
}

func (a *applier) routines(ctx context.Context, sc snapshot.Schema) error {
	if err := a.use(ctx, sc.Name); err != nil {
		return err
	}
	for _, r := range sc.Routines {
		if err := a.withMode(ctx, r.SQLMode, "routine "+sc.Name+"."+r.Name, stripDefiner(r.CreateSQL)); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) triggers(ctx context.Context, sc snapshot.Schema) error {
	if err := a.use(ctx, sc.Name); err != nil {
		return err
	}
	for _, t := range sc.Triggers {
		if err := a.withMode(ctx, t.SQLMode, "trigger "+sc.Name+"."+t.Name, stripDefiner(t.CreateSQL)); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) events(ctx context.Context, sc snapshot.Schema) error {
	if err := a.use(ctx, sc.Name); err != nil {
		return err
	}
	for _, e := range sc.Events {
		if err := a.withMode(ctx, e.SQLMode, "event "+sc.Name+"."+e.Name, stripDefiner(e.CreateSQL)); err != nil {
			return err
		}
		// Restored disabled: an event that fired in the sandbox would
		// write while the rehearsal measures (and, on a shared server,
		// whenever its scheduler runs). The global scheduler is never
		// touched.
		if err := a.exec(ctx, "event "+sc.Name+"."+e.Name, "ALTER EVENT "+mysqlkit.Quote(e.Name)+" DISABLE"); err != nil {
			return err
		}
		logf(a.opts.Log, "restore: event %s.%s restored DISABLED (it would write during the rehearsal)", sc.Name, e.Name)
	}
	return nil
}

// withMode runs q under the object's own sql_mode, then restores
// production's.
func (a *applier) withMode(ctx context.Context, mode, what, q string) error {
	if err := a.sqlMode(ctx, mode); err != nil {
		return err
	}
	if err := a.exec(ctx, what, q); err != nil {
		return err
	}
	return a.sqlMode(ctx, a.snap.Settings["sql_mode"])
}

var definerRe = regexp.MustCompile("(?i)\\s+DEFINER\\s*=\\s*(`[^`]*`|'[^']*'|[^\\s@]+)@(`[^`]*`|'[^']*'|[^\\s]+)")

// stripDefiner removes a DEFINER=user@host clause.
func stripDefiner(q string) string { return definerRe.ReplaceAllString(q, " ") }

// remap rewrites `db`. qualifiers of mapped databases (views name their
// tables with the database).
func (a *applier) remap(q string) string {
	for from, to := range a.opts.Databases {
		if to != "" && to != from {
			q = strings.ReplaceAll(q, mysqlkit.Quote(from)+".", mysqlkit.Quote(to)+".")
		}
	}
	return q
}
