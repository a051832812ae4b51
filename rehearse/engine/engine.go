// Package engine starts throwaway MySQL and MariaDB servers and guarantees
// they are removed again. Every engine implements the same small interface and
// passes the same conformance suite (enginetest).
//
// Engines:
//   - local: a sandbox process from a mysqld/mariadbd binary on this machine
//     (or inside a root file system, through chroot);
//   - docker: a container through testcontainers-go;
//   - dsn: a scratch database on a server the user gives;
//   - auto: docker when it can run the image, else local.
package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Flavor is the server family.
type Flavor string

const (
	MySQL   Flavor = "mysql"
	MariaDB Flavor = "mariadb"
)

// ParseFlavor accepts "mysql" or "mariadb" (any case); "" stays "".
func ParseFlavor(s string) (Flavor, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "mysql":
		return MySQL, nil
	case "mariadb":
		return MariaDB, nil
	}
	return "", fmt.Errorf("unknown flavor %q: use mysql or mariadb", s)
}

// Options say what server to start. The zero value asks for the engine's
// default flavor and version.
type Options struct {
	Flavor  Flavor
	Version string // major.minor ("10.11", "9.7") or exact; "" = the engine's default
	Image   string // docker: image reference; overrides Flavor/Version for the image choice
	// Exact is the exact version wanted ("10.11.19": a snapshot's), where
	// Version asks for major.minor: an engine that can choose among
	// servers of Version prefers this one (the local engine among the host
	// binary and the image roots, docker among its images, auto among the
	// engines) and says so when it runs another patch version.
	Exact string

	// Settings are server variables applied at start (name=value, as on
	// mysqld's command line). A later phase passes production's settings.
	Settings map[string]string

	// Local engine: where to find the server binary. Empty means PATH and the
	// usual sbin folders. Rootfs runs the binary inside a root file system
	// (an image root built by `make images`) through chroot.
	Basedir string
	Rootfs  string

	// Memory asks for a sandbox whose files live in memory (MemoryDir, a
	// tmpfs) when this machine has one: for throwaway schema-only sandboxes
	// (rehearse plan), whose DDL is bound by file syncs, not by data size.
	// Honoured by the local engine for host binaries; image roots (whose
	// sandboxes live in the root's /tmp) and the other engines ignore it.
	Memory bool

	// Datadir, when set, is a datadir the server starts on a copy of
	// instead of a fresh one: a cleanly shut down datadir of the same build
	// (Build), such as a data cache entry. Its users are the ones it holds.
	// Engines that keep no datadir on this host (DatadirEngine) refuse it.
	Datadir string
	// HostDatadir asks for a datadir the server can hand over afterwards
	// (Server.KeepDatadir): docker then mounts a folder of this host. The
	// local engine's datadir always is one.
	HostDatadir bool

	// Port is the loopback port a sandbox listens on; 0 picks a free one.
	// A given port that is in use is an error (no silent substitute).
	Port int

	// DSN engine.
	DSN  string
	Keep bool // keep the scratch database on Stop
	// Database is the scratch database the dsn engine creates ("" = a new
	// ScratchName()); a caller that must confine statements to it before
	// the server is touched picks the name first.
	Database string

	// Guard, when set, is called by engines that write to a server they
	// did not start (dsn) before anything is written; an error refuses the
	// server. restore.StartOptions sets it to the production guard
	// (rehearse/guard) for the snapshot's source.
	Guard func(ctx context.Context, db *sql.DB) error

	// Log receives one-line progress and diagnostics (never a password).
	Log io.Writer
}

// Server is a running server. Stop removes everything Start created.
type Server struct {
	Engine     string // "local", "docker", "dsn"
	Flavor     Flavor
	Version    string // exact, as the server reports it (SELECT VERSION())
	Host       string
	Port       int
	Socket     string // local engine only
	User       string
	Database   string // the scratch database (dsn engine); "" otherwise
	ServerUUID string
	ID         string // container id or process id, for diagnostics

	// Datadir and Tmpdir are the server's data and temporary folders as
	// paths on this host (local engine only; "" elsewhere), so a caller can
	// measure the disk a statement uses. PID is the server process (local
	// engine only; 0 elsewhere): its open files include the unlinked sort
	// and online-log files that no folder listing shows.
	Datadir string
	Tmpdir  string
	PID     int

	// DatadirCopy is how long the copy of Options.Datadir (a data cache
	// entry) took before the server started on it; 0 when it started on
	// no copy. The rest of the start is the server's own.
	DatadirCopy time.Duration

	// PeerHost and PeerPort are where other servers this engine starts
	// reach this one (a replica's CHANGE REPLICATION SOURCE TO): a
	// sandbox's loopback port, a container's address on the Docker network
	// and its server port. "" where servers cannot reach each other (dsn).
	PeerHost string
	PeerPort int

	password string // never printed but to the person who started the sandbox (UserDSN); "" for local sandboxes
	// ownPassword: the password is this sandbox's own, made by the engine
	// (docker), not the user's secret (dsn engine).
	ownPassword bool
	stop        func(context.Context) error
	keep        func(ctx context.Context, dst string) error // KeepDatadir's engine part; nil without a datadir here
	// hostDatadir is the server's datadir as a path on this host (local
	// engine; docker with a bind mount), for DatadirBytes.
	hostDatadir string

	// base, when set (dsn engine), is the user's parsed DSN: its network,
	// TLS and session parameters are kept in every DSN the server hands out.
	base *mysql.Config
}

// DSN is the go-sql-driver/mysql data source name for the server (root on a
// sandbox, the given user on the dsn engine). It contains the password when
// one was given: use DisplayDSN for anything a person or a file will see.
func (s *Server) DSN() string { return s.dsnFor(s.Database, true) }

// DSNFor is DSN with another default database.
func (s *Server) DSNFor(database string) string { return s.dsnFor(database, true) }

// String describes the server for people and logs, without the password
// (so that %v of a *Server never prints it).
func (s *Server) String() string {
	return fmt.Sprintf("%s %s %s at %s", s.Engine, s.Flavor, s.Version, s.DisplayDSN())
}

// GoString is String, for %#v.
func (s *Server) GoString() string { return s.String() }

// Password is the password of User ("" on a sandbox without one), for a
// child process's environment (a migrate command's DATABASE_URL): never for
// anything a person or a file sees.
func (s *Server) Password() string { return s.password }

// DisplayDSN is the DSN with any password replaced by "***".
func (s *Server) DisplayDSN() string { return s.dsnFor(s.Database, false) }

// UserDSN is the DSN to show the person who started the server (rehearse
// sandbox prints it on their terminal): a sandbox's own throwaway password
// is in it, as they need it to connect and it dies with the sandbox; a
// password they gave (the dsn engine's) is not. Never for files or logs.
func (s *Server) UserDSN() string { return s.dsnFor(s.Database, s.ownPassword) }

func (s *Server) dsnFor(database string, withPassword bool) string {
	var c *mysql.Config
	if s.base != nil {
		c = s.base.Clone()
	} else {
		c = mysql.NewConfig()
		c.Net = "tcp"
		c.Addr = fmt.Sprintf("%s:%d", s.Host, s.Port)
	}
	c.User = s.User
	c.Passwd = ""
	if s.password != "" {
		c.Passwd = s.password
		if !withPassword {
			c.Passwd = "***"
		}
	}
	c.DBName = database
	return c.FormatDSN()
}

// Open returns a connection pool to the server with database selected
// ("" for none): parseTime on (DATETIME and TIMESTAMP scan into time.Time),
// multi-statements off, parameters interpolated client-side.
func (s *Server) Open(database string) (*sql.DB, error) {
	c, err := mysql.ParseDSN(s.DSNFor(database))
	if err != nil {
		return nil, err
	}
	c.AllowNativePasswords = true
	c.InterpolateParams = true
	c.ParseTime = true
	connector, err := mysql.NewConnector(c)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(connector), nil
}

// Stop stops the server and removes everything its engine created. It is
// safe to call more than once.
func (s *Server) Stop(ctx context.Context) error {
	if s == nil || s.stop == nil {
		return nil
	}
	f := s.stop
	s.stop = nil
	return f(ctx)
}

// Engine starts servers.
type Engine interface {
	// Name is the engine's name as --engine spells it.
	Name() string
	// Start starts a server and waits until it answers queries. On error,
	// nothing it started is left behind. Cancelling ctx during Start stops
	// and removes what was started.
	Start(ctx context.Context, opts Options) (*Server, error)
}

// ErrUnavailable is wrapped by Start errors that mean "this engine cannot run
// here" (no Docker daemon, no server binary), as opposed to a server that
// started and failed.
var ErrUnavailable = errors.New("engine unavailable")

// StopTimeout bounds a graceful stop before processes are killed. A var so
// tests can shorten it.
var StopTimeout = 15 * time.Second

// ReadyTimeout bounds how long Start waits for a server to answer.
var ReadyTimeout = 120 * time.Second
