package engine

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// DSN is the engine for an existing server the user gives (Options.DSN): it
// creates a scratch database rehearse_<id>, hands it out as
// Server.Database, and drops it on Stop unless Options.Keep. It never
// touches other databases and refuses the server whose identity equals
// Options.Guard (production). Settings are applied per session through
// the DSN; a global-only setting that differs on the server is reported on
// Options.Log, not changed.
type DSN struct{}

var _ Engine = (*DSN)(nil)

func (d *DSN) Name() string { return "dsn" }

// DSNTimeout bounds connecting to the given server: an unreachable or wrong
// DSN fails within it.
var DSNTimeout = 8 * time.Second

const dsnExample = "--dsn 'user:password@tcp(host:3306)/' or --dsn mysql://user:password@host:3306/"

func (d *DSN) Start(ctx context.Context, opts Options) (*Server, error) {
	if strings.TrimSpace(opts.DSN) == "" {
		return nil, rehearse.WithHint(errors.New("dsn engine: no server given"), "pass %s", dsnExample)
	}
	if opts.Datadir != "" {
		return nil, fmt.Errorf("dsn engine: cannot start from datadir %s: %w", opts.Datadir, ErrNoDatadir)
	}
	cfg, err := ParseUserDSN(opts.DSN)
	if err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("dsn engine: cannot read the DSN: %s", scrub(err.Error(), passwordIn(opts.DSN))),
			"write it as %s", dsnExample)
	}
	password := cfg.Passwd
	where := describeAddr(cfg)
	if cfg.DBName != "" {
		logf(opts.Log, "dsn engine: not using database %s from the DSN: rehearse works only in a scratch database it creates", cfg.DBName)
	}
	cfg.Passwd = ""
	cfg.DBName = ""
	if cfg.Timeout == 0 || cfg.Timeout > DSNTimeout {
		cfg.Timeout = DSNTimeout
	}
	s := &Server{Engine: "dsn", User: cfg.User, password: password, base: cfg}
	if cfg.Net == "unix" {
		s.Socket = cfg.Addr
	} else {
		host, port, _ := net.SplitHostPort(cfg.Addr)
		s.Host = host
		s.Port, _ = strconv.Atoi(port)
	}

	cctx, cancel := context.WithTimeout(ctx, DSNTimeout)
	defer cancel()
	db, err := s.Open("")
	if err == nil {
		err = db.PingContext(cctx)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := scrub(err.Error(), password)
		if errors.Is(err, context.DeadlineExceeded) {
			msg = fmt.Sprintf("no answer within %s", DSNTimeout)
		}
		hint := "check that the server runs and that host and port in --dsn are right"
		if mysqlkit.Is(err, mysqlkit.ErrAccessDenied, mysqlkit.ErrDBAccessDenied, mysqlkit.ErrAccessDeniedNoPass) {
			hint = "check the user and password in --dsn (the password is never shown)"
		}
		return nil, rehearse.WithHint(fmt.Errorf("dsn engine: cannot connect to %s as user %q: %s", where, cfg.User, msg), "%s", hint)
	}
	defer db.Close()
	db.SetMaxOpenConns(2)
	if err := identify(cctx, db, s); err != nil {
		return nil, fmt.Errorf("dsn engine: %s: %s", where, scrub(err.Error(), password))
	}
	if opts.Guard != nil {
		if err := opts.Guard(cctx, db); err != nil {
			return nil, fmt.Errorf("dsn engine: %s: %w", where, err)
		}
	}
	if opts.Flavor != "" && s.Flavor != opts.Flavor || opts.Version != "" && !versionMatches(s.Version, opts.Version) {
		logf(opts.Log, "dsn engine: warning: asked for %s %s, the server at %s is %s %s", opts.Flavor, opts.Version, where, s.Flavor, s.Version)
	}
	// The metadata-lock instrument is a global setting of a shared server:
	// switched on only for the rehearsal and put back as it was on Stop.
	var wasEnabled, wasTimed string
	instrumentChanged := false
	if err := db.QueryRowContext(cctx, `SELECT ENABLED, TIMED FROM performance_schema.setup_instruments WHERE NAME='wait/lock/metadata/sql/mdl'`).Scan(&wasEnabled, &wasTimed); err != nil {
		logf(opts.Log, "dsn engine: warning: cannot read the metadata-lock instrument (%v): lock measurements may miss metadata locks; it is left as it is", err)
	} else if wasEnabled != "YES" || wasTimed != "YES" {
		if err := enableMDLInstrumentation(cctx, db); err != nil {
			logf(opts.Log, "dsn engine: warning: %v: lock measurements may miss metadata locks (needs performance_schema=ON and UPDATE on performance_schema)", err)
		} else {
			instrumentChanged = true
		}
	}
	restoreInstrument := func(ctx context.Context, db *sql.DB) {
		if instrumentChanged {
			if _, err := db.ExecContext(ctx, `UPDATE performance_schema.setup_instruments SET ENABLED=?, TIMED=? WHERE NAME='wait/lock/metadata/sql/mdl'`, wasEnabled, wasTimed); err != nil {
				logf(opts.Log, "dsn engine: warning: could not put the metadata-lock instrument back to ENABLED=%s, TIMED=%s: %s", wasEnabled, wasTimed, scrub(err.Error(), password))
			}
		}
	}
	params, err := sessionSettings(cctx, db, opts)
	if err != nil {
		return nil, err
	}
	if len(params) > 0 {
		c := cfg.Clone()
		if c.Params == nil {
			c.Params = map[string]string{}
		}
		for k, v := range params {
			c.Params[k] = v
		}
		s.base = c
	}

	s.Database = opts.Database
	if s.Database == "" {
		s.Database = ScratchName()
	}
	if !strings.HasPrefix(s.Database, "rehearse_") {
		return nil, fmt.Errorf("dsn engine: scratch database %q: the name must start with rehearse_", s.Database)
	}
	s.ID = s.Database
	// The owner lock, for as long as the scratch database exists (its own
	// connection, outside the pool): rehearse doctor --dsn finds a scratch
	// database whose owner was killed by its lock being free.
	owner, err := s.Open("")
	if err != nil {
		return nil, err
	}
	owner.SetMaxOpenConns(1)
	owner.SetConnMaxIdleTime(0)
	owner.SetConnMaxLifetime(0)
	ownerConn, err := owner.Conn(cctx)
	if err == nil {
		// An idle session is ended after wait_timeout: not this one.
		_, _ = ownerConn.ExecContext(cctx, "SET SESSION wait_timeout = 31536000")
		err = LockScratch(cctx, ownerConn, s.Database)
	}
	if err != nil {
		if ownerConn != nil {
			ownerConn.Close()
		}
		owner.Close()
		return nil, fmt.Errorf("dsn engine: %s: %s", where, scrub(err.Error(), password))
	}
	release := func() {
		ownerConn.Close() // the server releases the lock with the session
		owner.Close()
	}
	if _, err := db.ExecContext(cctx, "CREATE DATABASE `"+s.Database+"`"); err != nil {
		release()
		return nil, rehearse.WithHint(fmt.Errorf("dsn engine: create scratch database %s on %s: %s", s.Database, where, scrub(err.Error(), password)),
			"the user in --dsn needs CREATE and DROP on rehearse_* databases")
	}
	logf(opts.Log, "dsn engine: working in scratch database %s on %s (%s %s)", s.Database, where, s.Flavor, s.Version)
	s.stop = func(ctx context.Context) error {
		if opts.Keep {
			release() // a kept database is the user's: doctor lists it as left over
			logf(opts.Log, "dsn engine: kept scratch database %s on %s (--keep)", s.Database, where)
			if db, err := s.Open(""); err == nil {
				restoreInstrument(ctx, db)
				db.Close()
			}
			return nil
		}
		defer release()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		db, err := s.Open("")
		if err != nil {
			return err
		}
		defer db.Close()
		restoreInstrument(ctx, db)
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+s.Database+"`"); err != nil {
			return fmt.Errorf("dsn engine: drop scratch database %s on %s: %s", s.Database, where, scrub(err.Error(), password))
		}
		return nil
	}
	return s, nil
}

// sessionSettings checks each setting on a session and returns those to
// apply to every connection (as DSN parameters, quoted for SET). A
// global-only variable is left as the server has it, with a warning when it
// differs; an unknown variable or a refused value is an error.
func sessionSettings(ctx context.Context, db *sql.DB, opts Options) (map[string]string, error) {
	if len(opts.Settings) == 0 {
		return nil, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	out := map[string]string{}
	for _, name := range sortedKeys(opts.Settings) {
		v := sqlValue(opts.Settings[name])
		key := strings.ReplaceAll(name, "-", "_")
		_, err := conn.ExecContext(ctx, "SET SESSION "+key+" = "+v)
		switch {
		case err == nil:
			out[key] = v
		case mysqlkit.Is(err, mysqlkit.ErrGlobalVariable, mysqlkit.ErrIncorrectGlobalLocal, mysqlkit.ErrVariableIsReadonly):
			var cur string
			_ = conn.QueryRowContext(ctx, "SELECT @@GLOBAL."+key).Scan(&cur)
			if !strings.EqualFold(cur, opts.Settings[name]) {
				logf(opts.Log, "dsn engine: warning: %s is a global variable; the server keeps %s=%s (wanted %s)", key, key, cur, opts.Settings[name])
			}
		default:
			return nil, rehearse.WithHint(fmt.Errorf("dsn engine: setting %s=%s: %w", key, opts.Settings[name], err),
				"fix or drop that --set")
		}
	}
	return out, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

// sqlValue renders a setting for SET: numbers as they are, anything else as
// a quoted string.
func sqlValue(v string) string {
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// ParseUserDSN reads a DSN as go-sql-driver/mysql writes it
// (user:pass@tcp(host:port)/db?params) or as a URL
// (mysql://user:pass@host:port/db?params; mariadb:// too). A URL without a
// port means 3306.
func ParseUserDSN(dsn string) (*mysql.Config, error) {
	if i := strings.Index(dsn, "://"); i > 0 && (dsn[:i] == "mysql" || dsn[:i] == "mariadb") {
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, errors.New("not a valid URL")
		}
		c := mysql.NewConfig()
		c.Net = "tcp"
		c.User = u.User.Username()
		c.Passwd, _ = u.User.Password()
		host := u.Hostname()
		if host == "" {
			host = "127.0.0.1"
		}
		port := u.Port()
		if port == "" {
			port = "3306"
		}
		c.Addr = net.JoinHostPort(host, port)
		c.DBName = strings.TrimPrefix(u.Path, "/")
		for k, vs := range u.Query() {
			if len(vs) > 0 {
				if c.Params == nil {
					c.Params = map[string]string{}
				}
				c.Params[k] = vs[0]
			}
		}
		return c, nil
	}
	return mysql.ParseDSN(dsn)
}

// describeAddr names the server for messages: "host:port" or "socket PATH".
func describeAddr(c *mysql.Config) string {
	if c.Net == "unix" {
		return "socket " + c.Addr
	}
	return c.Addr
}

// passwordIn extracts the password of a DSN that failed to parse, so that
// it can be kept out of the message.
func passwordIn(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		dsn = dsn[i+3:]
	}
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return ""
	}
	_, pw, ok := strings.Cut(dsn[:at], ":")
	if !ok {
		return ""
	}
	return pw
}

// scrub replaces the password in a message by ***.
func scrub(msg, password string) string {
	if len(password) < 3 { // too short to tell apart from the message's own letters
		return msg
	}
	msg = strings.ReplaceAll(msg, password, "***")
	if esc := url.QueryEscape(password); esc != password {
		msg = strings.ReplaceAll(msg, esc, "***")
	}
	return msg
}

// ScratchName is a new scratch database name, rehearse_<8 hex digits>.
func ScratchName() string { return "rehearse_" + scratchID() }

func scratchID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
