package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rehearse/rehearse/rehearse"
)

// Local runs a sandbox server process from a binary on this machine: a
// throwaway datadir copied from a per-version template, a free loopback port,
// a unix socket, and a process group that is stopped and removed on Stop.
type Local struct {
	// CacheDir holds initialised template datadirs, one per flavor and
	// version. Empty means: initialise a fresh datadir for every start.
	CacheDir string
	// TempDir is where sandboxes are created ("" = os.TempDir()). A sandbox
	// run inside a root file system lives in that root's /tmp instead.
	TempDir string
	// RootsDir holds the image roots built by `make images`
	// (<RootsDir>/<flavor>-<major.minor>). When the host has no binary for
	// the requested version, a matching root is used through chroot.
	RootsDir string
}

var _ DatadirEngine = (*Local)(nil)

func (l *Local) Name() string { return "local" }

// sandboxPrefix names every sandbox folder, followed by the owner's pid and
// a dash, so CleanStaleLocal can find the folders whose owner is gone.
const sandboxPrefix = "rehearse-sandbox-"

// pickPort chooses a loopback port for a sandbox; a var so tests can hand
// out a port that is in use.
var pickPort = FreePort

// Resolve says which server binary Start would run for opts (the host's or
// an image root's), starting nothing.
func (l *Local) Resolve(ctx context.Context, opts Options) (Binary, error) {
	return findBinary(ctx, opts, l.RootsDir)
}

// Start starts a sandbox server. On error, and when ctx is cancelled during
// start, the process is stopped and its folder removed. A port chosen by the
// engine that turns out to be taken is retried with another; a port given in
// opts.Port that is taken is an error.
func (l *Local) Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := findBinary(ctx, opts, l.RootsDir)
	if err != nil {
		return nil, err
	}
	if opts.Exact != "" && bin.Version != opts.Exact {
		logf(opts.Log, "local engine: no %s %s on this machine (host binary or image root): running %s, another patch version", bin.Flavor, opts.Exact, bin.Version)
	}
	opts.Rootfs = bin.Rootfs
	if opts.Port != 0 {
		if err := portFree(opts.Port); err != nil {
			return nil, err
		}
	}

	base := l.TempDir
	if bin.Rootfs != "" {
		// The datadir must be visible inside the chroot.
		base = filepath.Join(bin.Rootfs, "tmp")
	}
	if opts.Memory && bin.Rootfs == "" {
		if m := MemoryDir(); m != "" {
			base = m
		}
	}
	if base == "" {
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, fmt.Sprintf("%s%d-", sandboxPrefix, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("local engine: create sandbox folder: %w", err)
	}
	cleanupDir := func() { _ = os.RemoveAll(dir) }
	// The server's unix socket lives in the sandbox folder; the kernel
	// takes a socket path of at most 107 bytes (sun_path).
	if sock := strings.TrimPrefix(filepath.Join(dir, "mysql.sock"), bin.Rootfs); bin.Rootfs == "" && len(sock) > maxSocketPath {
		cleanupDir()
		return nil, rehearse.WithHint(fmt.Errorf("local engine: the sandbox's socket path %s is %d bytes, more than a unix socket takes (%d)", sock, len(sock), maxSocketPath),
			"set TMPDIR to a shorter folder (e.g. TMPDIR=/tmp); the sandbox is made in it")
	}

	datadir := filepath.Join(dir, "data")
	t0 := time.Now()
	if err := l.prepareDatadir(ctx, bin, datadir, opts); err != nil {
		cleanupDir()
		return nil, err
	}
	var copied time.Duration
	if opts.Datadir != "" {
		copied = time.Since(t0)
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port := opts.Port
		if port == 0 {
			if port, err = pickPort(); err != nil {
				cleanupDir()
				return nil, fmt.Errorf("local engine: find a free port: %w", err)
			}
			if portFree(port) != nil {
				lastErr = portInUseError(port)
				logf(opts.Log, "local engine: port %d was taken meanwhile; trying another", port)
				continue
			}
		}
		logf(opts.Log, "local engine: starting %s on 127.0.0.1:%d", bin, port)
		t0 := time.Now()
		s, err := l.startProcess(ctx, bin, dir, port, opts)
		if err == nil {
			logf(opts.Log, "local engine: the server answered after %s", time.Since(t0).Round(time.Millisecond))
			s.DatadirCopy = copied
			return s, nil
		}
		lastErr = err
		if !errors.Is(err, errPortInUse) || ctx.Err() != nil {
			break
		}
		if opts.Port != 0 {
			lastErr = portInUseError(opts.Port)
			break
		}
		logf(opts.Log, "local engine: port %d was taken meanwhile; trying another", port)
	}
	cleanupDir()
	return nil, lastErr
}

var errPortInUse = errors.New("port in use")

// maxSocketPath is the longest unix socket path Linux takes (sun_path is
// 108 bytes with its terminating NUL).
const maxSocketPath = 107

func (l *Local) startProcess(ctx context.Context, bin Binary, dir string, port int, opts Options) (*Server, error) {
	inner := func(p string) string {
		if bin.Rootfs != "" {
			return strings.TrimPrefix(p, bin.Rootfs)
		}
		return p
	}
	datadir := filepath.Join(dir, "data")
	tmpdir := filepath.Join(dir, "tmp")
	_ = os.MkdirAll(tmpdir, 0o750)
	// Server-side file access (INTO OUTFILE, LOAD_FILE, LOAD DATA without
	// LOCAL) stays in the sandbox's folder: the server runs as this user,
	// and a restored trigger or a migration must not reach the host's files.
	files := filepath.Join(dir, "files")
	_ = os.MkdirAll(files, 0o750)
	errLog := filepath.Join(dir, "error.log")
	_ = os.Remove(errLog)
	sock := filepath.Join(dir, "mysql.sock")
	args := []string{
		"--no-defaults",
		"--datadir=" + inner(datadir),
		"--tmpdir=" + inner(tmpdir),
		"--socket=" + inner(sock),
		"--pid-file=" + inner(filepath.Join(dir, "server.pid")),
		"--log-error=" + inner(errLog),
		"--port=" + strconv.Itoa(port),
		"--bind-address=127.0.0.1",
		"--skip-name-resolve",
		"--local-infile=1",
	}
	if bin.Flavor == MySQL {
		args = append(args, "--mysqlx=OFF", "--skip-log-bin", "--secure-file-priv="+inner(files))
	} else {
		// MariaDB 11.4+ generates a TLS certificate at every start when
		// none is configured (~2 s); a loopback sandbox needs no TLS.
		args = append(args, "--secure-file-priv="+inner(files), "--skip-ssl")
	}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	if opts.Basedir != "" {
		args = append(args, "--basedir="+opts.Basedir)
	}
	// root@'127.0.0.1' without a password: the sandbox listens on loopback
	// only, and a fresh datadir knows only root@localhost (the socket).
	initFile := filepath.Join(dir, "init.sql")
	if err := os.WriteFile(initFile, []byte(initSQL), 0o600); err != nil {
		return nil, err
	}
	args = append(args, "--init-file="+inner(initFile))
	args = append(args, instrumentationArgs(bin.Flavor)...)
	args = append(args, serverArgs(opts.Settings)...)

	// Not CommandContext: the server must outlive Start's context; it is
	// stopped by Stop (or by the kernel when this process dies, Pdeathsig).
	var cmd *exec.Cmd
	if bin.Rootfs != "" {
		cmd = exec.Command("chroot", append([]string{bin.Rootfs, bin.Path}, args...)...)
	} else {
		cmd = exec.Command(bin.Path, args...)
	}
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("local engine: start %s: %w", bin.Path, err)
	}
	var (
		waitOnce sync.Once
		waitErr  error
		done     = make(chan struct{})
	)
	go func() {
		waitOnce.Do(func() { waitErr = cmd.Wait() })
		close(done)
	}()
	exited := func() error {
		select {
		case <-done:
			log, _ := os.ReadFile(errLog)
			if bytes.Contains(log, []byte("Bind on TCP/IP port")) || bytes.Contains(log, []byte("Address already in use")) {
				return fmt.Errorf("local engine: port %d: %w", port, errPortInUse)
			}
			return fmt.Errorf("local engine: %s exited during start-up (%v):\n%s", bin.Path, waitErr, tail(append(log, stderr.Bytes()...), 20))
		default:
			return nil
		}
	}
	stopProc := func(ctx context.Context) error {
		select {
		case <-done:
			return nil
		default:
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		t := time.NewTimer(StopTimeout)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		case <-ctx.Done():
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		return nil
	}

	s := &Server{Engine: "local", Host: "127.0.0.1", Port: port, Socket: sock, User: "root", ID: strconv.Itoa(cmd.Process.Pid),
		Datadir: datadir, Tmpdir: tmpdir, PID: cmd.Process.Pid, PeerHost: "127.0.0.1", PeerPort: port, hostDatadir: datadir}
	db, err := waitReady(ctx, s, ReadyTimeout, exited)
	if err != nil {
		_ = stopProc(context.Background())
		return nil, err
	}
	defer db.Close()
	// The port may have been taken by another server between the choice and
	// the bind: make sure the one answering is ours.
	var gotSock string
	if err := db.QueryRowContext(ctx, "SELECT @@socket").Scan(&gotSock); err != nil || gotSock != inner(sock) {
		_ = stopProc(context.Background())
		return nil, fmt.Errorf("local engine: another server answers on port %d: %w", port, errPortInUse)
	}
	if err := identify(ctx, db, s); err != nil {
		_ = stopProc(context.Background())
		return nil, fmt.Errorf("local engine: %w", err)
	}
	if err := enableMDLInstrumentation(ctx, db); err != nil {
		_ = stopProc(context.Background())
		return nil, fmt.Errorf("local engine: %w", err)
	}
	s.keep = func(ctx context.Context, dst string) error {
		// SIGTERM is the server's clean shutdown; a slow one
		// (innodb_fast_shutdown=0) takes as long as it takes.
		_ = syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-ctx.Done():
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			return fmt.Errorf("keep datadir: the server did not finish its shutdown: %w", ctx.Err())
		}
		if waitErr != nil {
			log, _ := os.ReadFile(errLog)
			return fmt.Errorf("keep datadir: the server's shutdown failed (%v):\n%s", waitErr, tail(log, 10))
		}
		return moveDatadir(ctx, datadir, dst)
	}
	s.stop = func(ctx context.Context) error {
		// No clean shutdown: the datadir is removed with the sandbox (one
		// kept for later, KeepDatadir, was shut down cleanly and moved
		// away), and a clean shutdown flushes every dirty page first.
		select {
		case <-done:
		default:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		var err error
		if rmErr := os.RemoveAll(dir); rmErr != nil && err == nil {
			err = rmErr
		}
		return err
	}
	return s, nil
}

const initSQL = "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';\n" +
	"GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;\n"

func tail(b []byte, lines int) string {
	ls := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// portFree reports an error with a hint when port on 127.0.0.1 is taken.
func portFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return portInUseError(port)
	}
	return l.Close()
}

func portInUseError(port int) error {
	return rehearse.WithHint(fmt.Errorf("local engine: port %d on 127.0.0.1 is in use by another program", port),
		"choose another --port, or leave --port out and a free port is picked")
}
