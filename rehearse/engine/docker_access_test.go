package engine_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// TestDockerSandboxAccess (issue 13, item 9): a docker sandbox's root has a
// random password of its own, an empty password is refused on the published
// port, no account can log in without a password, and the port is published
// on 127.0.0.1 (the daemon is local here). Every `make images` image.
func TestDockerSandboxAccess(t *testing.T) {
	for _, im := range dockerImages {
		ref := "rehearse/" + string(im.flavor) + ":" + im.version
		t.Run(ref, func(t *testing.T) {
			requireImage(t, ref)
			ctx := context.Background()
			s, err := (&engine.Docker{}).Start(ctx, engine.Options{Flavor: im.flavor, Version: im.version})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Stop(ctx)
			checkSandboxAccess(t, s, "127.0.0.1")
		})
	}
}

// TestDockerPasswordPerSandbox: two sandboxes of the same image have
// different passwords, and one's password does not open the other.
func TestDockerPasswordPerSandbox(t *testing.T) {
	requireImage(t, "rehearse/mariadb:10.11")
	ctx := context.Background()
	opts := engine.Options{Flavor: engine.MariaDB, Version: "10.11"}
	a, err := (&engine.Docker{}).Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Stop(ctx)
	b, err := (&engine.Docker{}).Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Stop(ctx)
	if a.Password() == b.Password() {
		t.Fatalf("two sandboxes share the password %q", a.Password())
	}
	if err := ping(ctx, a.Host, a.Port, "root", b.Password()); !mysqlkit.Is(err, mysqlkit.ErrAccessDenied) {
		t.Errorf("sandbox A with sandbox B's password: %v, want access denied (1045)", err)
	}
}

var hexPassword = regexp.MustCompile(`^[0-9a-f]{32}$`)

// checkSandboxAccess is the access contract of a docker sandbox whose port
// is published on bindIP.
func checkSandboxAccess(t *testing.T, s *engine.Server, bindIP string) {
	t.Helper()
	ctx := context.Background()
	pw := s.Password()
	if !hexPassword.MatchString(pw) {
		t.Errorf("root's password %q is not 32 random hex digits", pw)
	}
	// Who holds the DSN gets in; DisplayDSN and String never show it;
	// UserDSN (rehearse sandbox's line) does: the password is the
	// sandbox's own.
	if !strings.Contains(s.DSN(), ":"+pw+"@") || !strings.Contains(s.UserDSN(), ":"+pw+"@") {
		t.Errorf("DSN/UserDSN lack the password: %s / %s", s.DisplayDSN(), s.DisplayDSN())
	}
	for what, v := range map[string]string{"DisplayDSN": s.DisplayDSN(), "String": s.String(), "%v": fmt.Sprintf("%v %+v %#v", s, s, s)} {
		if pw != "" && strings.Contains(v, pw) {
			t.Errorf("%s shows the password", what)
		}
	}
	if err := ping(ctx, s.Host, s.Port, "root", pw); err != nil {
		t.Fatalf("root with the sandbox's password: %v", err)
	}
	for _, user := range []string{"root", "", "mysql", "mariadb.sys"} {
		if err := ping(ctx, s.Host, s.Port, user, ""); !mysqlkit.Is(err, mysqlkit.ErrAccessDenied, mysqlkit.ErrAccessDeniedNoPass) {
			t.Errorf("user %q without a password on the published port: %v, want access denied", user, err)
		}
	}
	// No account without a password, whatever host it names (the
	// published port is reached through the daemon's proxy from
	// 172.17.0.1, not from 127.0.0.1: root@127.0.0.1 without a password
	// would be open to every process inside the container).
	db, err := s.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := `SELECT User, Host FROM mysql.user WHERE authentication_string = '' AND account_locked <> 'Y'`
	if s.Flavor == engine.MariaDB {
		// mysql.user is a view there; global_priv says which accounts are
		// locked and which authenticate by a plugin without a password.
		q = `SELECT User, Host FROM mysql.global_priv
			WHERE IFNULL(JSON_VALUE(Priv, '$.authentication_string'), '') = ''
			  AND IFNULL(JSON_VALUE(Priv, '$.account_locked'), 0) = 0
			  AND IFNULL(JSON_VALUE(Priv, '$.plugin'), 'mysql_native_password') IN ('mysql_native_password', 'mysql_old_password', '')
			  AND IFNULL(JSON_VALUE(Priv, '$.is_role'), 0) = 0`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for rows.Next() {
		var u, h string
		if err := rows.Scan(&u, &h); err != nil {
			t.Fatal(err)
		}
		open = append(open, u+"@"+h)
	}
	rows.Close()
	if len(open) > 0 {
		t.Errorf("accounts without a password: %v", open)
	}
	var roots int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM mysql.user WHERE User = 'root'`).Scan(&roots); err != nil || roots != 2 {
		t.Errorf("root accounts: %d (%v), want 2 (root@localhost, root@%%)", roots, err)
	}

	// The port binding, as the daemon has it.
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	res, err := cli.ContainerInspect(ctx, s.ID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	port := network.MustParsePort("3306/tcp")
	for _, b := range res.Container.HostConfig.PortBindings[port] {
		if b.HostIP.String() != bindIP {
			t.Errorf("port binding asked for %s, want %s", b.HostIP, bindIP)
		}
	}
	bound := res.Container.NetworkSettings.Ports[port]
	if len(bound) == 0 {
		t.Errorf("no published port for 3306/tcp")
	}
	for _, b := range bound {
		if b.HostIP.String() != bindIP || b.HostPort != strconv.Itoa(s.Port) {
			t.Errorf("3306/tcp published on %s:%s, want %s:%d", b.HostIP, b.HostPort, bindIP, s.Port)
		}
	}
	for _, e := range res.Container.Config.Env {
		if strings.Contains(e, "ALLOW_EMPTY") {
			t.Errorf("container environment has %s", e)
		}
	}
}

// ping connects once with user and password, without TLS.
func ping(ctx context.Context, host string, port int, user, password string) error {
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User, c.Passwd = "tcp", fmt.Sprintf("%s:%d", host, port), user, password
	c.AllowNativePasswords = true
	conn, err := mysql.NewConnector(c)
	if err != nil {
		return err
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	return db.PingContext(ctx)
}
