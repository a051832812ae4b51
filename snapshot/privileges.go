package snapshot

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
)

// schemaPrivileges are what a capture needs on each selected database:
// SELECT (catalog rows, SHOW CREATE TABLE, history tables, samples), SHOW
// VIEW (SHOW CREATE VIEW), TRIGGER (without it the server hides triggers
// instead of failing) and EVENT (the same for events).
var schemaPrivileges = []string{"SELECT", "SHOW VIEW", "TRIGGER", "EVENT"}

// checkPrivileges fails with the missing privileges and the GRANT when the
// current account lacks what schemaPrivileges lists on a database. Without it
// the server would silently leave triggers and events out of the catalog.
// Accounts using roles are not checked here (their privileges are not in
// the privilege catalogs); the statements themselves still fail clearly.
func (s *session) checkPrivileges(ctx context.Context, schemas []string) error {
	var user string
	var role *string
	if err := s.conn.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&user); err != nil {
		return fmt.Errorf("read current user: %w", err)
	}
	if err := s.conn.QueryRowContext(ctx, "SELECT CURRENT_ROLE()").Scan(&role); err == nil && role != nil && *role != "NONE" && *role != "" {
		return nil
	}
	at := strings.LastIndex(user, "@")
	if at < 0 {
		return nil
	}
	grantee := "'" + user[:at] + "'@'" + user[at+1:] + "'"
	global := map[string]bool{}
	rs, err := s.rows(ctx, "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?", grantee)
	if err != nil {
		return fmt.Errorf("read privileges: %w", err)
	}
	for _, r := range rs {
		global[r.str("privilege_type")] = true
	}
	rs, err = s.rows(ctx, "SELECT TABLE_SCHEMA, PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?", grantee)
	if err != nil {
		return fmt.Errorf("read privileges: %w", err)
	}
	for _, db := range schemas {
		var missing []string
		for _, p := range schemaPrivileges {
			ok := global[p]
			for _, r := range rs {
				if r.str("privilege_type") == p && likeMatch(r.str("table_schema"), db) {
					ok = true
				}
			}
			if !ok {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			return rehearse.WithHint(fmt.Errorf("%w: %s lacks %s on database %s (a capture needs SELECT, SHOW VIEW, TRIGGER and EVENT: without TRIGGER and EVENT the server silently hides triggers and events)",
				ErrPrivilege, user, strings.Join(missing, ", "), db),
				"as an administrator: %s", LeastPrivilegeGrant(s.flavor, db, grantee))
		}
	}
	return nil
}

// likeMatch matches a database name against a GRANT's database pattern
// (LIKE wildcards % and _, backslash escapes).
func likeMatch(pattern, name string) bool {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			b.WriteString(regexp.QuoteMeta(string(pattern[i])))
		case c == '%':
			b.WriteString(".*")
		case c == '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(name)
}
