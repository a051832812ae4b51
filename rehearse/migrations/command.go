package migrations

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
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

// Env is the connection as environment variables: DATABASE_URL,
// MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD, MYSQL_DATABASE.
func (c Conn) Env() []string {
	return []string{
		"DATABASE_URL=" + c.URL(),
		"MYSQL_HOST=" + c.Host,
		"MYSQL_PORT=" + strconv.Itoa(c.Port),
		"MYSQL_USER=" + c.User,
		"MYSQL_PASSWORD=" + c.Password,
		"MYSQL_DATABASE=" + c.Database,
	}
}

// CommandOptions run a user's migrate or rollback command.
type CommandOptions struct {
	// Command is a shell command line, run with /bin/sh -c.
	Command string
	// Dir is the working directory (usually the migrations' project).
	Dir string
	// Env is the base environment (the caller passes os.Environ() when the
	// command should see the user's environment); Conn.Env() is appended.
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
		b = bytes.ReplaceAll(b, r.secret, []byte("***"))
		b = bytes.ReplaceAll(b, []byte(url.QueryEscape(string(r.secret))), []byte("***"))
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
