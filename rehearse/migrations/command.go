package migrations

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rehearse/rehearse/rehearse/redact"
)

// Conn is how a user's migrate command reaches the sandbox.
type Conn struct {
	Host     string
	Port     int
	User     string
	Password string // passed in the environment only; never printed
	Database string
}

// URL is a mysql://user:password@host:port/database URL (the form
// DATABASE_URL takes for Sequelize, Knex, dbmate, ...).
func (c Conn) URL() string {
	u := url.URL{Scheme: "mysql", Host: c.Host + ":" + strconv.Itoa(c.Port), Path: "/" + c.Database}
	if c.Password != "" {
		u.User = url.UserPassword(c.User, c.Password)
	} else {
		u.User = url.User(c.User)
	}
	return u.String()
}

// Env is the connection as environment variables, under every name common
// migration tools and frameworks read, all pointing at the sandbox:
// DATABASE_URL (Rails, Prisma, Knex, Sequelize, dbmate, Symfony), MYSQL_*
// (the mysql client, Docker images), DB_* (Laravel, many Node and PHP
// apps), DATABASE_HOST and the like (Django settings), FLYWAY_*.
func (c Conn) Env() []string {
	port := strconv.Itoa(c.Port)
	vals := map[string]string{
		"DATABASE_URL": c.URL(),
		"MYSQL_HOST":   c.Host, "MYSQL_PORT": port, "MYSQL_TCP_PORT": port, "MYSQL_USER": c.User,
		"MYSQL_PASSWORD": c.Password, "MYSQL_PWD": c.Password, "MYSQL_DATABASE": c.Database,
		"DB_CONNECTION": "mysql", "DB_HOST": c.Host, "DB_PORT": port, "DB_DATABASE": c.Database, "DB_NAME": c.Database,
		"DB_USERNAME": c.User, "DB_USER": c.User, "DB_PASSWORD": c.Password,
		"DATABASE_HOST": c.Host, "DATABASE_PORT": port, "DATABASE_NAME": c.Database, "DATABASE_USER": c.User,
		"DATABASE_USERNAME": c.User, "DATABASE_PASSWORD": c.Password,
		"FLYWAY_URL": "jdbc:mysql://" + c.Host + ":" + port + "/" + c.Database, "FLYWAY_USER": c.User, "FLYWAY_PASSWORD": c.Password,
	}
	out := make([]string, 0, len(ConnEnvNames))
	for _, n := range ConnEnvNames {
		out = append(out, n+"="+vals[n])
	}
	return out
}

// ConnEnvNames are the variables Conn.Env sets: a migrate command sees the
// sandbox under these names, never the caller's values.
var ConnEnvNames = []string{
	"DATABASE_URL",
	"MYSQL_HOST", "MYSQL_PORT", "MYSQL_TCP_PORT", "MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_PWD", "MYSQL_DATABASE",
	"DB_CONNECTION", "DB_HOST", "DB_PORT", "DB_DATABASE", "DB_NAME", "DB_USERNAME", "DB_USER", "DB_PASSWORD",
	"DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_USER", "DATABASE_USERNAME", "DATABASE_PASSWORD",
	"FLYWAY_URL", "FLYWAY_USER", "FLYWAY_PASSWORD",
}

// BaseEnvNames are the variables of the caller's environment a migrate
// command keeps by default: what a shell and a runtime need, nothing that
// could point at a server.
var BaseEnvNames = []string{"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"}

// CommandEnv is the base environment of a migrate command: from environ
// (os.Environ() of the caller), only BaseEnvNames and the names in pass
// (--migrate-env). A CI job's DB_HOST, DB_PASSWORD or cloud credentials do
// not reach the command, so a framework cannot connect to wherever the CI
// environment points (production, in a deploy pipeline).
func CommandEnv(environ, pass []string) []string {
	keep := map[string]bool{}
	for _, n := range BaseEnvNames {
		keep[n] = true
	}
	for _, n := range pass {
		keep[n] = true
	}
	var out []string
	for _, kv := range environ {
		if name, _, ok := strings.Cut(kv, "="); ok && keep[name] {
			out = append(out, kv)
		}
	}
	return out
}

// CheckPassEnv validates --migrate-env names: variable names, and none of
// ConnEnvNames (those always point at the sandbox).
func CheckPassEnv(names []string) error {
	conn := map[string]bool{}
	for _, n := range ConnEnvNames {
		conn[n] = true
	}
	for _, n := range names {
		switch {
		case !envNameRe.MatchString(n):
			return fmt.Errorf("--migrate-env %q is not a variable name (give NAME; its value comes from this environment)", n)
		case conn[n]:
			return fmt.Errorf("--migrate-env %s: rehearse sets %s to the sandbox's connection; it never comes from the environment", n, n)
		}
	}
	return nil
}

var envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// CommandOptions run a user's migrate or rollback command.
type CommandOptions struct {
	// Command is a shell command line, run with /bin/sh -c.
	Command string
	// Dir is the working directory (usually the migrations' project).
	Dir string
	// Env is the base environment: CommandEnv(os.Environ(), passed names)
	// from a command line; nil gives the command nothing but Conn.Env().
	// Conn.Env() is appended and wins.
	Env  []string
	Conn Conn
	// Stdout and Stderr receive the command's output, with the password
	// replaced by "***". Nil discards it (the tail is still in the result).
	Stdout, Stderr io.Writer
	// KillGrace is how long the command may take to exit after SIGTERM
	// when ctx ends (default 5s), before SIGKILL.
	KillGrace time.Duration
}

// CommandResult is what a command did.
type CommandResult struct {
	ExitCode int           `json:"exit_code"`
	Duration time.Duration `json:"duration_ns"`
	// Tail is the last lines of its combined output, password redacted.
	Tail string `json:"tail,omitempty"`
}

// ErrCommandFailed is wrapped when the command exits non-zero.
var ErrCommandFailed = errors.New("migrate command failed")

// RunCommand runs the command with the sandbox connection in its
// environment. It returns ErrCommandFailed (wrapped, with the exit code and
// output tail) when the command exits non-zero. When ctx ends, the command's
// whole process group is terminated and waited for.
func RunCommand(ctx context.Context, opts CommandOptions) (CommandResult, error) {
	if strings.TrimSpace(opts.Command) == "" {
		return CommandResult{}, errors.New("empty migrate command")
	}
	if opts.KillGrace <= 0 {
		opts.KillGrace = 5 * time.Second
	}
	tail := &tailBuffer{max: 4 << 10}
	stdout := newRedactor(io.MultiWriter(orDiscard(opts.Stdout), tail), opts.Conn.Password)
	stderr := newRedactor(io.MultiWriter(orDiscard(opts.Stderr), tail), opts.Conn.Password)
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", opts.Command)
	cmd.Dir = opts.Dir
	cmd.Env = append(append([]string(nil), opts.Env...), opts.Conn.Env()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = opts.KillGrace
	start := time.Now()
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // leftovers of the group
	}
	stdout.Flush()
	stderr.Flush()
	res := CommandResult{Duration: time.Since(start), Tail: tail.String(), ExitCode: -1}
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("migrate command %q stopped: %w", opts.Command, ctx.Err())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return res, fmt.Errorf("%w: %q exited with code %d", ErrCommandFailed, opts.Command, res.ExitCode)
	}
	if err != nil {
		return res, fmt.Errorf("run migrate command %q: %w", opts.Command, err)
	}
	return res, nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// redactor writes whole lines with the secret replaced.
type redactor struct {
	mu     sync.Mutex
	w      io.Writer
	secret []byte
	buf    []byte
}

func newRedactor(w io.Writer, secret string) *redactor {
	return &redactor{w: w, secret: []byte(secret)}
}

func (r *redactor) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf = append(r.buf, p...)
	if i := bytes.LastIndexByte(r.buf, '\n'); i >= 0 {
		if _, err := r.w.Write(r.redact(r.buf[:i+1])); err != nil {
			return 0, err
		}
		r.buf = append(r.buf[:0], r.buf[i+1:]...)
	}
	return len(p), nil
}

// Flush writes a last unterminated line.
func (r *redactor) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) > 0 {
		_, _ = r.w.Write(r.redact(r.buf))
		r.buf = r.buf[:0]
	}
}

// redact masks the sandbox's password and any credential the output
// shows (a framework logging its DATABASE_URL: redact.String).
func (r *redactor) redact(b []byte) []byte {
	if len(r.secret) > 0 {
		b = bytes.ReplaceAll(b, r.secret, []byte(redact.Mask))
		b = bytes.ReplaceAll(b, []byte(url.QueryEscape(string(r.secret))), []byte(redact.Mask))
	}
	return []byte(redact.String(string(b)))
}

// tailBuffer keeps the last max bytes written.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
