package confine

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Unconfined is an account whose grants reach beyond rehearse_* databases:
// a command holding it can write wherever they allow.
type Unconfined struct {
	Grants []string // "ALL PRIVILEGES ON *.*", ... (never the IDENTIFIED BY part)
}

func (u *Unconfined) Error() string {
	return fmt.Sprintf("the account can write outside rehearse_* databases (%s): a --migrate-cmd holding it is not confined to the scratch database", strings.Join(u.Grants, "; "))
}

// LeastPrivilege is the grant that confines a dsn account (docs/security.md).
const LeastPrivilege = "GRANT ALL ON `rehearse\\_%`.* TO 'rehearse'@'%'"

// CheckGrants reads the account's grants (SHOW GRANTS) and returns an
// *Unconfined listing those that let it write outside rehearse_* databases
// (nil when there is none).
func CheckGrants(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "SHOW GRANTS")
	if err != nil {
		return fmt.Errorf("read the account's grants (SHOW GRANTS): %w", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return err
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if bad := unconfinedGrants(lines); len(bad) > 0 {
		return &Unconfined{Grants: bad}
	}
	return nil
}

// readOnly are the privileges that write nothing anywhere: allowed on any
// database and on *.*. SESSION_VARIABLES_ADMIN (MySQL) sets the session's
// own restricted variables (the dsn engine applies production's
// innodb_strict_mode, ... per session).
var readOnly = map[string]bool{
	"USAGE": true, "SELECT": true, "SHOW VIEW": true, "SHOW DATABASES": true, "PROCESS": true,
	"REPLICATION CLIENT": true, "REPLICATION SLAVE": true, "BINLOG MONITOR": true,
	"SLAVE MONITOR": true, "REPLICA MONITOR": true, "SESSION_VARIABLES_ADMIN": true,
}

// unconfinedGrants returns the grants among SHOW GRANTS lines that reach
// beyond rehearse_* databases: any privilege on a database pattern that
// can match a name not starting with rehearse_, except read-only ones
// (readOnly) and performance_schema's (monitoring settings, which the dsn
// engine itself switches); roles and PROXY (their privileges are
// another account's); and any line this reading does not understand.
// REVOKE lines (MySQL's partial revokes) and SET DEFAULT ROLE only narrow.
func unconfinedGrants(lines []string) []string {
	var bad []string
	for _, line := range lines {
		l := strings.TrimSpace(line)
		up := strings.ToUpper(l)
		if strings.HasPrefix(up, "REVOKE ") || strings.HasPrefix(up, "SET DEFAULT ROLE") {
			continue
		}
		if !strings.HasPrefix(up, "GRANT ") {
			bad = append(bad, shown(l))
			continue
		}
		body := l[len("GRANT "):]
		on := topLevel(body, " ON ")
		to := topLevel(body, " TO ")
		if on < 0 || to < 0 || to < on {
			bad = append(bad, shown(l)) // GRANT role TO user
			continue
		}
		privs := splitTop(body[:on])
		target := strings.TrimSpace(body[on+len(" ON ") : to])
		for _, kw := range []string{"PROCEDURE ", "FUNCTION ", "TABLE ", "PACKAGE BODY ", "PACKAGE "} {
			if strings.HasPrefix(strings.ToUpper(target), kw) {
				target = strings.TrimSpace(target[len(kw):])
				break
			}
		}
		db, _ := splitTarget(target)
		ok := true
		switch {
		case db == "" && target != "*" && target != "*.*":
			ok = false // not understood
		case inRehearse(db):
		case strings.EqualFold(unquote(db), "performance_schema"):
		default:
			for _, p := range privs {
				if !readOnly[p] {
					ok = false
				}
			}
		}
		for _, p := range privs {
			if p == "PROXY" {
				ok = false
			}
		}
		if !ok {
			if len(privs) > 6 {
				bad = append(bad, fmt.Sprintf("%s, ... (%d privileges) ON %s", strings.Join(privs[:5], ", "), len(privs), target))
				continue
			}
			bad = append(bad, strings.TrimSpace(body[:to]))
		}
	}
	return bad
}

// shown is a grant line without what follows TO (the account and any
// IDENTIFIED BY PASSWORD hash).
func shown(l string) string {
	if i := topLevel(l, " TO "); i >= 0 {
		return strings.TrimSpace(l[:i])
	}
	return l
}

// inRehearse reports whether every database name a GRANT's database
// pattern can match starts with rehearse_: its literal prefix (up to the
// first unescaped % or _) does.
func inRehearse(db string) bool {
	if db == "" || db == "*" {
		return false
	}
	pat := unquote(db)
	var lit strings.Builder
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		if c == '\\' && i+1 < len(pat) {
			i++
			lit.WriteByte(pat[i])
			continue
		}
		if c == '%' || c == '_' {
			break
		}
		lit.WriteByte(c)
	}
	return strings.HasPrefix(strings.ToLower(lit.String()), "rehearse_")
}

// splitTarget splits `db`.`t`, db.*, *.* into the database part (quoted
// as written) and the rest.
func splitTarget(t string) (db, rest string) {
	i := topLevel(t, ".")
	if i < 0 {
		return "", t
	}
	return t[:i], t[i+1:]
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '`' && s[len(s)-1] == '`' || s[0] == '\'' && s[len(s)-1] == '\'') {
		q := s[:1]
		return strings.ReplaceAll(s[1:len(s)-1], q+q, q)
	}
	return s
}

// splitTop splits a privilege list at commas outside parentheses (column
// lists) and returns each privilege's name, upper-cased, without columns.
func splitTop(s string) []string {
	var out []string
	for {
		i := topLevel(s, ",")
		p := s
		if i >= 0 {
			p = s[:i]
		}
		if k := strings.IndexByte(p, '('); k >= 0 {
			p = p[:k]
		}
		if p = strings.ToUpper(strings.Join(strings.Fields(p), " ")); p != "" {
			out = append(out, p)
		}
		if i < 0 {
			return out
		}
		s = s[i+1:]
	}
}

// topLevel is the index of sep (case-insensitive) in s outside quotes and
// parentheses, or -1.
func topLevel(s, sep string) int {
	depth := 0
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
			continue
		case c == '`' || c == '\'' || c == '"':
			q = c
			continue
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
		if depth == 0 && i+len(sep) <= len(s) && strings.EqualFold(s[i:i+len(sep)], sep) {
			return i
		}
	}
	return -1
}
