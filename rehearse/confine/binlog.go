package confine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse/scope"
)

// binlogPos is a position in the server's binary log.
type binlogPos struct {
	File string
	Pos  int64
}

// binlogPosition returns the binary log's current position, or nil and
// why it cannot be read (binary log off, no privilege).
func binlogPosition(ctx context.Context, conn *sql.Conn) (*binlogPos, string) {
	var on sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT @@log_bin").Scan(&on); err != nil || (on.String != "1" && !strings.EqualFold(on.String, "ON")) {
		return nil, "the binary log is off: the command's writes are compared through information_schema only"
	}
	var lastErr error
	// MySQL 8.2+ SHOW BINARY LOG STATUS; MariaDB and older MySQL SHOW MASTER STATUS.
	for _, q := range []string{"SHOW BINARY LOG STATUS", "SHOW MASTER STATUS"} {
		var p *binlogPos
		err := each(ctx, conn, q, func(v []sql.NullString) {
			if p == nil && len(v) >= 2 {
				var pos int64
				fmt.Sscan(v[1].String, &pos)
				p = &binlogPos{File: v[0].String, Pos: pos}
			}
		})
		if err == nil && p != nil {
			return p, ""
		}
		if err != nil {
			lastErr = err
		}
	}
	return nil, fmt.Sprintf("the binary log's position cannot be read (%v; grant REPLICATION CLIENT, or BINLOG MONITOR on MariaDB): the command's writes are compared through information_schema only", lastErr)
}

// binlogLimit bounds the events read from the binary log in one window.
var binlogLimit = 2_000_000

var tableMap = regexp.MustCompile(`\(([^.()]+)\.[^()]*\)\s*$`)

// binlogDatabases reads the binary log from p to its end and returns the
// databases its events touched other than scratch (each with the first
// statement or event that did), and the statements it could not read.
func binlogDatabases(ctx context.Context, conn *sql.Conn, p *binlogPos, scratch string) (found []string, unread []string, err error) {
	var files []string
	started := false
	err = each(ctx, conn, "SHOW BINARY LOGS", func(v []sql.NullString) {
		if v[0].String == p.File {
			started = true
		}
		if started {
			files = append(files, v[0].String)
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list the binary logs: %w", err)
	}
	seen := map[string]bool{}
	other := func(db, what string) {
		l := strings.ToLower(db)
		if l == "" || notWatched(l, scratch) || seen[l] {
			return
		}
		seen[l] = true
		found = append(found, fmt.Sprintf("%s (%s)", db, what))
	}
	read := 0
	for i, f := range files {
		from := int64(0)
		if i == 0 {
			from = p.Pos
		}
		for {
			q := fmt.Sprintf("SHOW BINLOG EVENTS IN '%s' LIMIT 10000", strings.ReplaceAll(f, "'", "''"))
			if from > 0 {
				q = fmt.Sprintf("SHOW BINLOG EVENTS IN '%s' FROM %d LIMIT 10000", strings.ReplaceAll(f, "'", "''"), from)
			}
			n := 0
			var next int64
			err := each(ctx, conn, q, func(v []sql.NullString) {
				n++
				fmt.Sscan(v[4].String, &next) // End_log_pos
				kind, info := v[2].String, v[5].String
				switch kind {
				case "Table_map":
					if m := tableMap.FindStringSubmatch(info); m != nil {
						other(m[1], kind+" "+strings.TrimSpace(info[strings.LastIndexByte(info, '(')+1:len(info)-1]))
					}
				case "Query":
					def, stmt := splitUse(info)
					word := strings.ToUpper(firstWord(stmt))
					if word == "BEGIN" || word == "COMMIT" || word == "ROLLBACK" || word == "XA" || word == "SAVEPOINT" || word == "" {
						return
					}
					other(def, "a statement run with it as default database: "+short(stmt))
					dbs, ok := scope.Databases(stmt)
					if !ok {
						sc := def
						if sc == "" {
							sc = scratch
						}
						_, err := (&scope.Scope{Scratch: sc}).Check(stmt)
						var v *scope.Violation
						switch {
						case errors.As(err, &v) && v.Database != "":
							other(v.Database, short(stmt))
						case err != nil:
							unread = append(unread, short(stmt))
						}
						return
					}
					for _, d := range dbs {
						other(d, short(stmt))
					}
				}
			})
			if err != nil {
				return nil, nil, fmt.Errorf("read the binary log %s: %w", f, err)
			}
			read += n
			if n < 10000 || next <= from {
				break
			}
			if read >= binlogLimit {
				unread = append(unread, fmt.Sprintf("the binary log after %d events", read))
				return found, unread, nil
			}
			from = next
		}
	}
	return found, unread, nil
}

// splitUse splits a Query event's text "use `db`; statement" into the
// default database and the statement.
func splitUse(info string) (db, stmt string) {
	s := strings.TrimSpace(info)
	if !strings.HasPrefix(strings.ToLower(s), "use `") {
		return "", s
	}
	s = s[len("use `"):]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			if i+1 < len(s) && s[i+1] == '`' {
				b.WriteByte('`')
				i++
				continue
			}
			rest := strings.TrimSpace(s[i+1:])
			return b.String(), strings.TrimSpace(strings.TrimPrefix(rest, ";"))
		}
		b.WriteByte(s[i])
	}
	return "", info
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return strings.TrimRight(f[0], ";")
}

func short(s string) string {
	f := strings.Fields(s)
	if len(f) > 8 {
		return strings.Join(f[:8], " ") + " ..."
	}
	return strings.Join(f, " ")
}
