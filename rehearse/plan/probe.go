package plan

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// ProbeOptions say where ProbeAlgorithms works.
type ProbeOptions struct {
	// Schema is the database the statements are written for (required).
	Schema string
	// Scratch is the database the empty copy lives in while the probe
	// runs ("" = "_rehearse_probe"). It is dropped again on every path.
	Scratch string
}

// Probe is the server's answer for one statement given to ProbeAlgorithms.
type Probe struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Verified is the ALGORITHM/LOCK the server accepted for an ALTER
	// TABLE, CREATE INDEX or DROP INDEX, or for the DDL string an EXECUTE
	// ran (Mattermost-style PREPARE'd ALTERs); nil for other statements.
	// Verified.Algorithm is "" when the server takes no ALGORITHM clause in
	// the statement (Verified.Note says so).
	Verified *Verified `json:"verified,omitempty"`
	// Replay is how the statement fared on the empty copy: OK, or the
	// error (Class "already-applied", "missing-object", "failed"), or
	// "skipped" for a statement that names Schema explicitly (it would
	// change the real tables, so it is not run).
	Replay *Replay `json:"replay"`
}

// ProbeAlgorithms asks the server behind db which algorithm and lock each
// ALTER among stmts gets, without changing Schema: it copies Schema's table
// definitions (SHOW CREATE TABLE, no rows: the tables are expected to be
// empty, as right after a restore) into a scratch database, runs stmts
// there in order on one connection (each ALTER up the ALGORITHM/LOCK
// ladder: INSTANT, then NOCOPY/INPLACE with LOCK=NONE and LOCK=SHARED, then
// COPY; the first accepted rung runs for real so later statements see its
// effect), and drops the scratch database. A statement that fails does not
// stop the others. Views, routines, triggers and events are not copied: a
// statement that needs one fails with Replay.Class "missing-object".
//
// The result has one Probe per statement, in order. The error is for what
// stops probing (no connection, the copy cannot be made).
//
// Cost: one CREATE TABLE per table plus the statements themselves, on empty
// tables (Mattermost's 120 migrations: about as long as `rehearse plan`'s
// replay). The rehearsal calls it after restoring the snapshot and before
// generating data, to report each statement's algorithm.
func ProbeAlgorithms(ctx context.Context, db *sql.DB, stmts []sqlsplit.Statement, opts ProbeOptions) ([]Probe, error) {
	if opts.Schema == "" {
		return nil, fmt.Errorf("plan: ProbeAlgorithms needs ProbeOptions.Schema")
	}
	scratch := opts.Scratch
	if scratch == "" {
		scratch = "_rehearse_probe"
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("plan: probe: connect: %w", err)
	}
	// The session (current database, foreign_key_checks, user variables)
	// must not go back to db's pool.
	defer func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}()
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return nil, fmt.Errorf("plan: probe: %w", err)
	}
	flavor := "mysql"
	if strings.Contains(strings.ToLower(version), "mariadb") {
		flavor = "mariadb"
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+mysqlkit.Quote(scratch))
	}()
	if err := cloneSchema(ctx, conn, opts.Schema, scratch); err != nil {
		return nil, err
	}
	c := newClassifier(&model{schema: scratch, tables: map[string]*tableModel{}, defaults: newCharsetDefaults(parseServer(flavor, version), nil)})
	pm := &PendingMigration{}
	for _, st := range stmts {
		pm.Statements = append(pm.Statements, c.statement(st))
	}
	r := &replayer{conn: conn, srv: parseServer(flavor, version), c: c, prepared: map[string]string{}}
	names := namesSchema(opts.Schema)
	out := make([]Probe, len(stmts))
	for i, st := range stmts {
		out[i] = Probe{File: st.File, Line: st.Line}
		out[i].Replay = r.probeOne(ctx, pm, i, st.Text, names, opts.Schema)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i].Verified = pm.Statements[i].Verified
		if out[i].Verified == nil && r.executed != nil {
			out[i].Verified = r.executed.Verified
		}
	}
	return out, nil
}

// namesSchema matches a statement that qualifies a name with schema.
func namesSchema(schema string) *regexp.Regexp {
	q := regexp.QuoteMeta(schema)
	return regexp.MustCompile("(?i)(^|[^\\w$`.])(`" + q + "`|" + q + ")\\s*\\.\\s*[`\\w$]")
}

// cloneSchema creates scratch with schema's character set and an empty copy
// of each of its base tables (foreign keys included).
func cloneSchema(ctx context.Context, conn *sql.Conn, schema, scratch string) error {
	var cs, coll string
	if err := conn.QueryRowContext(ctx, "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", schema).Scan(&cs, &coll); err != nil {
		if err == sql.ErrNoRows {
			return fmt.Errorf("plan: probe: the server has no database %q", schema)
		}
		return fmt.Errorf("plan: probe: %w", err)
	}
	rows, err := conn.QueryContext(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", schema)
	if err != nil {
		return fmt.Errorf("plan: probe: list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	steps := []string{
		"DROP DATABASE IF EXISTS " + mysqlkit.Quote(scratch),
		fmt.Sprintf("CREATE DATABASE %s CHARACTER SET %s COLLATE %s", mysqlkit.Quote(scratch), cs, coll),
		"USE " + mysqlkit.Quote(scratch),
		"SET @rehearse_probe_fk = @@SESSION.foreign_key_checks",
		"SET SESSION foreign_key_checks = 0",
	}
	for _, q := range steps {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("plan: probe: %s: %w", q, err)
		}
	}
	for _, t := range tables {
		var name, create string
		if err := conn.QueryRowContext(ctx, "SHOW CREATE TABLE "+mysqlkit.Quote(schema)+"."+mysqlkit.Quote(t)).Scan(&name, &create); err != nil {
			return fmt.Errorf("plan: probe: SHOW CREATE TABLE %s.%s: %w", schema, t, err)
		}
		if _, err := conn.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("plan: probe: copy %s.%s: %w", schema, t, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION foreign_key_checks = @rehearse_probe_fk"); err != nil {
		return fmt.Errorf("plan: probe: %w", err)
	}
	return nil
}
