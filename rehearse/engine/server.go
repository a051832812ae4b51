package engine

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// FlavorOf tells the flavor from a VERSION() string.
func FlavorOf(version string) Flavor {
	if strings.Contains(strings.ToLower(version), "mariadb") {
		return MariaDB
	}
	return MySQL
}

// ShortVersion returns major.minor of a version string ("10.11.19-MariaDB-0+deb12u1" -> "10.11").
func ShortVersion(v string) string {
	v = strings.TrimSpace(v)
	end := 0
	dots := 0
	for end < len(v) {
		c := v[end]
		if c == '.' {
			dots++
			if dots == 2 {
				break
			}
		} else if c < '0' || c > '9' {
			break
		}
		end++
	}
	return v[:end]
}

// CleanVersion strips the distribution suffix: "10.11.19-MariaDB-0+deb12u1" -> "10.11.19".
func CleanVersion(v string) string {
	if i := strings.IndexAny(v, "-+ "); i >= 0 {
		return v[:i]
	}
	return v
}

// identify fills Flavor, Version and ServerUUID from the server.
func identify(ctx context.Context, db *sql.DB, s *Server) error {
	var version string
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return err
	}
	s.Version = CleanVersion(version)
	s.Flavor = FlavorOf(version)
	uuid, err := mysqlkit.ServerUUID(ctx, db)
	if err != nil {
		return err
	}
	s.ServerUUID = uuid
	return nil
}

// waitReady polls until a connection answers, ctx ends, the deadline passes,
// or exited reports that the server is gone.
func waitReady(ctx context.Context, s *Server, timeout time.Duration, exited func() error) (*sql.DB, error) {
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		if exited != nil {
			if err := exited(); err != nil {
				return nil, err
			}
		}
		db, err := s.Open("")
		if err == nil {
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err = db.PingContext(pctx)
			cancel()
			if err == nil {
				db.SetMaxOpenConns(4)
				return db, nil
			}
			db.Close()
		}
		lastErr = err
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("server at %s:%d did not answer within %s: %w", s.Host, s.Port, timeout, lastErr)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// enableMDLInstrumentation switches on the metadata-lock instrument (off by
// default on MariaDB; on by default on MySQL) so the lock monitor can see
// PENDING metadata locks. The command-line option does it at start; this is
// the belt to its braces for servers we did not start (dsn engine).
func enableMDLInstrumentation(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `UPDATE performance_schema.setup_instruments SET ENABLED='YES', TIMED='YES' WHERE NAME='wait/lock/metadata/sql/mdl'`)
	if err != nil {
		return fmt.Errorf("enable metadata-lock instrumentation: %w", err)
	}
	return nil
}

// FreePort asks the kernel for a free loopback TCP port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverArgs renders settings as mysqld command-line options, sorted for
// reproducibility.
func serverArgs(settings map[string]string) []string {
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sortStrings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, fmt.Sprintf("--%s=%s", strings.ReplaceAll(k, "_", "-"), settings[k]))
	}
	return out
}

// instrumentationArgs are the options every sandbox starts with so that
// metadata locks can be observed.
func instrumentationArgs(f Flavor) []string {
	args := []string{"--performance-schema=ON"}
	if f == MariaDB {
		args = append(args, "--performance-schema-instrument=wait/lock/metadata/sql/mdl=ON")
	}
	return args
}

// VersionAtLeast reports whether version ("8.0.26", "10.11.19-MariaDB")
// is at least the given major[, minor[, patch]].
func VersionAtLeast(version string, want ...int) bool {
	parts := strings.Split(CleanVersion(version), ".")
	for i, w := range want {
		if i >= len(parts) {
			return w == 0
		}
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return false
		}
		if n != w {
			return n > w
		}
	}
	return true
}
