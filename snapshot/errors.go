package snapshot

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// ErrPrivilege is wrapped by capture errors caused by a missing privilege;
// the hint names the GRANT that fixes it.
var ErrPrivilege = errors.New("missing privilege")

// LeastPrivilegeGrant is the GRANT a capture needs, for the given flavor and
// database ("app" stands for each selected database). docs/snapshot-format.md
// explains each privilege.
func LeastPrivilegeGrant(flavor, db, user string) string {
	if db == "" {
		db = "app"
	}
	if user == "" {
		user = "'rehearse'@'%'"
	}
	g := fmt.Sprintf("GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON %s.* TO %s; ", mysqlkit.Quote(db), user)
	if flavor == "mariadb" {
		g += fmt.Sprintf("GRANT SELECT ON mysql.proc TO %s; ", user)
	} else {
		g += fmt.Sprintf("GRANT SHOW_ROUTINE ON *.* TO %s; ", user)
	}
	g += fmt.Sprintf("GRANT SELECT ON performance_schema.* TO %s", user)
	return g
}

// privilegeError wraps a server "access denied" error with the privilege it
// needs and the GRANT.
func privilegeError(err error, what, privilege, flavor, db string) error {
	return rehearse.WithHint(fmt.Errorf("%w: %s needs %s: %v", ErrPrivilege, what, privilege, err),
		"grant the capture user read-only catalog access (docs/snapshot-format.md, \"Privileges\"): %s",
		LeastPrivilegeGrant(flavor, db, ""))
}

// connectError turns a failure to reach or log in to the server into an
// error with a hint. It never includes the DSN (which may hold a password).
func connectError(err error) error {
	var ne net.Error
	var oe *net.OpError
	switch {
	case mysqlkit.Is(err, mysqlkit.ErrAccessDenied):
		return rehearse.WithHint(fmt.Errorf("log in to the server: %w", err),
			"check the user and password in --dsn (the password is never printed)")
	case mysqlkit.Is(err, mysqlkit.ErrBadDB):
		return rehearse.WithHint(fmt.Errorf("connect: %w", err),
			"the DSN names a database that does not exist; leave it out and use --databases")
	case errors.As(err, &oe), errors.As(err, &ne), strings.Contains(err.Error(), "connection refused"):
		return rehearse.WithHint(fmt.Errorf("cannot reach the server: %w", err),
			"check the host and port in --dsn and that the server is running and reachable from here")
	}
	return fmt.Errorf("connect: %w", err)
}
