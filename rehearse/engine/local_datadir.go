package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Datadirs: a sandbox's datadir is a sparse copy of a per-flavor-and-version
// template, initialised once (mysqld --initialize-insecure, or
// mariadb-install-db) and kept in Local.CacheDir.
// prepareDatadir copies the template for bin into datadir, creating the
// template first when missing.
func (l *Local) prepareDatadir(ctx context.Context, bin Binary, datadir string, opts Options) error {
	if opts.Datadir != "" {
		return startCopy(ctx, opts.Datadir, datadir, func(f string, a ...any) { logf(opts.Log, "local engine: "+f, a...) })
	}
	if l.CacheDir == "" {
		return initDatadir(ctx, bin, datadir, opts)
	}
	tmpl := filepath.Join(l.CacheDir, "templates", fmt.Sprintf("%s-%s", bin.Flavor, bin.Version))
	if opts.Rootfs != "" {
		tmpl += "-" + shortHash(opts.Rootfs)
	}
	if _, err := os.Stat(filepath.Join(tmpl, ".complete")); err != nil {
		if err := os.MkdirAll(filepath.Dir(tmpl), 0o700); err != nil {
			return fmt.Errorf("local engine: template cache: %w", err)
		}
		work, err := os.MkdirTemp(filepath.Dir(tmpl), fmt.Sprintf(".init-%d-", os.Getpid()))
		if err != nil {
			return fmt.Errorf("local engine: template cache: %w", err)
		}
		defer os.RemoveAll(work)
		initDir := filepath.Join(work, "data")
		if opts.Rootfs != "" {
			// Initialise inside the root, then move the result out.
			d, err := os.MkdirTemp(filepath.Join(opts.Rootfs, "tmp"), fmt.Sprintf("%s%d-init-", sandboxPrefix, os.Getpid()))
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			initDir = filepath.Join(d, "data")
		}
		logf(opts.Log, "local engine: initialising a %s %s template datadir (once per version)", bin.Flavor, bin.Version)
		if err := initDatadir(ctx, bin, initDir, opts); err != nil {
			return err
		}
		if err := copyTreeSparse(initDir, filepath.Join(work, "tmpl")); err != nil {
			return err
		}
		_ = os.WriteFile(filepath.Join(work, "tmpl", ".complete"), nil, 0o600)
		if err := os.Rename(filepath.Join(work, "tmpl"), tmpl); err != nil {
			// Another process won the race: use its template.
			if _, statErr := os.Stat(filepath.Join(tmpl, ".complete")); statErr != nil {
				return fmt.Errorf("local engine: install template: %w", err)
			}
		}
	}
	if err := copyTreeSparse(tmpl, datadir); err != nil {
		return err
	}
	if err := removeIdentity(datadir); err != nil {
		return fmt.Errorf("local engine: %w", err)
	}
	return nil
}

// Build is the binary Start would run for opts: its flavor, exact version
// and identity (path in its root, size, modification time).
func (l *Local) Build(ctx context.Context, opts Options) (Build, error) {
	bin, err := findBinary(ctx, opts, l.RootsDir)
	if err != nil {
		return Build{}, err
	}
	host := filepath.Join(bin.Rootfs, bin.Path)
	id := host
	if st, err := os.Stat(host); err == nil {
		id = fmt.Sprintf("%s:%d:%d", host, st.Size(), st.ModTime().UnixNano())
	}
	return Build{Engine: "local", Flavor: bin.Flavor, Version: bin.Version, ID: "bin-" + shortHash(id)}, nil
}

// initDatadir creates a fresh datadir with root@'%' and no password.
func initDatadir(ctx context.Context, bin Binary, datadir string, opts Options) error {
	if err := os.MkdirAll(datadir, 0o750); err != nil {
		return err
	}
	var cmd *exec.Cmd
	inner := datadir
	if bin.Rootfs != "" {
		inner = strings.TrimPrefix(datadir, bin.Rootfs)
	}
	switch bin.Flavor {
	case MariaDB:
		installDB := "mariadb-install-db"
		dir := filepath.Dir(bin.Path)
		for _, cand := range []string{filepath.Join(dir, "mariadb-install-db"), filepath.Join(filepath.Dir(dir), "bin", "mariadb-install-db"), filepath.Join(filepath.Dir(dir), "scripts", "mariadb-install-db")} {
			host := cand
			if bin.Rootfs != "" {
				host = filepath.Join(bin.Rootfs, cand)
			}
			if _, err := os.Stat(host); err == nil {
				installDB = cand
				break
			}
		}
		args := []string{"--no-defaults", "--datadir=" + inner, "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"}
		if os.Geteuid() == 0 {
			args = append(args, "--user=root")
		}
		if opts.Basedir != "" {
			args = append(args, "--basedir="+opts.Basedir)
		}
		cmd = command(ctx, bin.Rootfs, installDB, args...)
	default:
		args := []string{"--no-defaults", "--initialize-insecure", "--datadir=" + inner}
		if os.Geteuid() == 0 {
			args = append(args, "--user=root")
		}
		if opts.Basedir != "" {
			args = append(args, "--basedir="+opts.Basedir)
		}
		cmd = command(ctx, bin.Rootfs, bin.Path, args...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("local engine: initialise %s %s datadir: %w\n%s", bin.Flavor, bin.Version, err, tail(out, 15))
	}
	return nil
}

// command runs path (inside rootfs through chroot when set) in its own
// process group; cancelling ctx kills the whole group (mariadb-install-db
// starts a server of its own that would otherwise outlive it).
func command(ctx context.Context, rootfs, path string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if rootfs != "" {
		cmd = exec.CommandContext(ctx, "chroot", append([]string{rootfs, path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}
