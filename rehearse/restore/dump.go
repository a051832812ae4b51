package restore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// DumpOptions tune LoadDump.
type DumpOptions struct {
	// Name names the dump in errors (usually its file name).
	Name string
	// Database is created and selected before the first statement, for
	// dumps without CREATE DATABASE/USE (mysqldump of one database).
	Database string
	// Log receives one line per skipped client command.
	Log io.Writer
}

// clientCommand matches mysql-client commands that are not SQL.
var clientCommand = regexp.MustCompile(`(?is)^(source\s|\\\.|\\\w|tee\s|notee\b|charset\s|prompt\s|pager\b|nopager\b|warnings\b|nowarning\b|system\s|\\!)`)

// LoadDump runs a mysqldump --no-data style file (or any DDL script) on db,
// one statement at a time on one connection, in order. It understands the
// client's DELIMITER (through the shared splitter) and skips client-only
// commands (source, tee, ...) and FLUSH statements, saying so in Log. An
// error names the file, line and statement.
func LoadDump(ctx context.Context, db *sql.DB, r io.Reader, opts DumpOptions) error {
	name := opts.Name
	if name == "" {
		name = "dump"
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	stmts, err := sqlsplit.Split(data, sqlsplit.Options{File: name})
	if err != nil {
		return rehearse.WithHint(fmt.Errorf("split %s: %w", name, err), "check quotes and DELIMITER lines near the position shown")
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("load %s: %w", name, err)
	}
	defer func() { // the dump's session settings must not leak into db's pool
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}()
	if opts.Database != "" {
		for _, q := range []string{"CREATE DATABASE IF NOT EXISTS " + mysqlkit.Quote(opts.Database), "USE " + mysqlkit.Quote(opts.Database)} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("load %s: %s: %w", name, q, err)
			}
		}
	}
	for _, st := range stmts {
		text := strings.TrimSpace(st.Text)
		if text == "" {
			continue
		}
		if clientCommand.MatchString(text) || strings.HasPrefix(strings.ToUpper(text), "FLUSH") {
			logf(opts.Log, "%s: skipped client command or FLUSH: %s", st.Pos(), head(text))
			continue
		}
		if err := runStatement(ctx, conn, text); err != nil {
			return rehearse.WithHint(fmt.Errorf("%s: %s: %w", st.Pos(), head(text), err),
				"the dump must load into an empty %s server; fix the statement or load a dump taken with mysqldump --no-data", "MySQL/MariaDB")
		}
	}
	return nil
}

// runStatement executes text; statements that return rows are drained.
func runStatement(ctx context.Context, conn *sql.Conn, text string) error {
	if returnsRows(text) {
		rows, err := conn.QueryContext(ctx, text)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		return rows.Err()
	}
	_, err := conn.ExecContext(ctx, text)
	return err
}

func returnsRows(text string) bool {
	u := strings.ToUpper(strings.TrimLeft(text, "( \t\r\n"))
	for _, p := range []string{"SELECT", "SHOW", "WITH", "VALUES", "EXPLAIN", "DESCRIBE", "DESC "} {
		if strings.HasPrefix(u, p) {
			return !strings.Contains(u, " INTO ")
		}
	}
	return false
}

// head is the first line of a statement, shortened, for messages.
func head(text string) string {
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i] + " ..."
	}
	if len(text) > 100 {
		text = text[:100] + "..."
	}
	return text
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
