package engine

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"golang.org/x/sys/unix"
)

// The docker engine's datadirs on this host: with Options.Datadir (a copy
// of a cleanly shut down datadir) or Options.HostDatadir (a datadir to hand
// over later with KeepDatadir), the container's /var/lib/mysql is a bind
// mount of a sandbox folder of this host (rehearse-sandbox-<pid>-*, removed
// on Stop and by `rehearse doctor --clean`). A fresh one is a copy of the
// image's own pre-initialised datadir (`make images` builds one), exported
// once per image into the template cache; an image without one initialises
// it at first start. Files keep their owners (the image's mysql user), which
// needs root: other users run without the cache.

// containerDatadir is where the images keep the datadir.
const containerDatadir = "/var/lib/mysql"

// Build is the image Start would run for opts: its flavor, its version tag
// and its id. It needs a local daemon (a bind mount names a folder of this
// host) and root (the container's files belong to its mysql user).
func (d *Docker) Build(ctx context.Context, opts Options) (Build, error) {
	cli, err := newDockerClient(d.Host)
	if err != nil {
		return Build{}, fmt.Errorf("%w: docker engine: %v", ErrUnavailable, err)
	}
	defer cli.Close()
	if err := canBindDatadir(cli); err != nil {
		return Build{}, err
	}
	image, flavor, err := chooseImage(ctx, cli, opts, func(string, ...any) {})
	if err != nil {
		return Build{}, err
	}
	inspect, err := cli.ImageInspect(ctx, image)
	if err != nil {
		return Build{}, fmt.Errorf("docker engine: inspect %s: %w", image, err)
	}
	version := ""
	if inspect.Config != nil {
		version = inspect.Config.Labels["rehearse.version"]
		if version == "" {
			version = inspect.Config.Labels["org.opencontainers.image.version"]
		}
	}
	if version == "" {
		_, version, _ = FlavorOfImage(image)
	}
	return Build{Engine: "docker", Flavor: flavor, Version: version, ID: strings.TrimPrefix(inspect.ID, "sha256:")[:16]}, nil
}

var _ DatadirEngine = (*Docker)(nil)

// canBindDatadir says why this process cannot give a container a datadir
// of this host (nil when it can).
func canBindDatadir(cli *client.Client) error {
	if !daemonIsLocal(cli.DaemonHost()) {
		return fmt.Errorf("docker engine: the daemon at %s is not on this host: %w", cli.DaemonHost(), ErrNoDatadir)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("docker engine: a container's datadir belongs to its mysql user, which only root can copy and remove: %w", ErrNoDatadir)
	}
	return nil
}

// hostDatadir prepares the sandbox folder whose data/ the container
// mounts: a copy of opts.Datadir, else of the image's own datadir.
func (d *Docker) hostDatadir(ctx context.Context, cli *client.Client, image string, opts Options, log func(string, ...any)) (string, error) {
	if err := canBindDatadir(cli); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(d.TempDir, fmt.Sprintf("%s%d-", sandboxPrefix, os.Getpid()))
	if err != nil {
		return "", fmt.Errorf("docker engine: sandbox folder: %w", err)
	}
	data := filepath.Join(dir, "data")
	switch {
	case opts.Datadir != "":
		err = startCopy(ctx, opts.Datadir, data, func(f string, a ...any) { log("docker engine: "+f, a...) })
	default:
		var tmpl string
		tmpl, err = d.imageTemplate(ctx, cli, image, log)
		if err == nil && tmpl != "" {
			_, err = CopyTree(ctx, tmpl, data, CopyOptions{})
		} else if err == nil {
			err = os.Mkdir(data, 0o750) // the entrypoint initialises it
		}
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("docker engine: datadir: %w", err)
	}
	return dir, nil
}

// imageTemplate is the image's pre-initialised datadir (marked
// .rehearse-template), exported once into the template cache; "" when the
// image has none or there is no cache.
func (d *Docker) imageTemplate(ctx context.Context, cli *client.Client, image string, log func(string, ...any)) (string, error) {
	if d.CacheDir == "" {
		return "", nil
	}
	inspect, err := cli.ImageInspect(ctx, image)
	if err != nil {
		return "", err
	}
	tmpl := filepath.Join(d.CacheDir, "templates", "docker-"+strings.TrimPrefix(inspect.ID, "sha256:")[:16])
	if _, err := os.Stat(filepath.Join(tmpl, ".complete")); err == nil {
		if _, err := os.Stat(filepath.Join(tmpl, "data", ".rehearse-template")); err != nil {
			return "", nil // the image has no template
		}
		return filepath.Join(tmpl, "data"), nil
	}
	if err := os.MkdirAll(filepath.Dir(tmpl), 0o700); err != nil {
		return "", err
	}
	work, err := os.MkdirTemp(filepath.Dir(tmpl), fmt.Sprintf(".init-%d-", os.Getpid()))
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	log("docker engine: exporting the datadir of %s into the template cache (once per image)", image)
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Image: image, Config: &container.Config{Cmd: []string{"true"}}})
	if err != nil {
		return "", err
	}
	defer func() {
		_, _ = cli.ContainerRemove(context.WithoutCancel(ctx), created.ID, client.ContainerRemoveOptions{Force: true})
	}()
	res, err := cli.CopyFromContainer(ctx, created.ID, client.CopyFromContainerOptions{SourcePath: containerDatadir})
	if err != nil {
		return "", err
	}
	err = extractTar(res.Content, work, filepath.Base(containerDatadir), "data")
	res.Content.Close()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(work, ".complete"), nil, 0o600); err != nil {
		return "", err
	}
	if err := os.Rename(work, tmpl); err != nil {
		if _, statErr := os.Stat(filepath.Join(tmpl, ".complete")); statErr != nil {
			return "", err
		}
		// Another process exported it first: use that one.
	}
	return d.imageTemplate(ctx, cli, image, log)
}

// extractTar writes a tar stream into dir, renaming its top folder from to
// to; regular files are written sparsely (zero blocks left as holes), with
// their modes and, as root, their owners.
func extractTar(r io.Reader, dir, from, to string) error {
	tr := tar.NewReader(r)
	buf := make([]byte, sparseBlock)
	root := os.Geteuid() == 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if name == from {
			name = to
		} else if rest, ok := strings.CutPrefix(name, from+"/"); ok {
			name = filepath.Join(to, rest)
		} else {
			continue
		}
		if strings.Contains(name, "..") {
			return fmt.Errorf("tar entry %q leaves the folder", h.Name)
		}
		p := filepath.Join(dir, name)
		mode := os.FileMode(h.Mode).Perm()
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, mode|0o700); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeSparse(tr, p, mode, h.Size, buf); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
		default:
			continue
		}
		if root {
			if err := os.Lchown(p, h.Uid, h.Gid); err != nil {
				return err
			}
		}
	}
}

func writeSparse(r io.Reader, p string, mode os.FileMode, size int64, buf []byte) error {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	var off int64
	for off < size {
		n, err := io.ReadFull(r, buf[:min(int64(len(buf)), size-off)])
		if err != nil {
			f.Close()
			return err
		}
		if !allZero(buf[:n]) {
			if _, err := f.WriteAt(buf[:n], off); err != nil {
				f.Close()
				return err
			}
		}
		off += int64(n)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// keepContainerDatadir is KeepDatadir's docker part: the container is
// stopped with time for the server's clean shutdown (SIGTERM), and its
// bind-mounted datadir moved to dst.
func keepContainerDatadir(ctx context.Context, c *testcontainers.DockerContainer, datadir, dst, password string) error {
	timeout := 10 * time.Minute
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	if err := c.Stop(ctx, &timeout); err != nil {
		return fmt.Errorf("keep datadir: stop the container: %w", err)
	}
	st, err := c.State(context.WithoutCancel(ctx))
	if err != nil {
		return fmt.Errorf("keep datadir: %w", err)
	}
	if st.Running || st.ExitCode != 0 || st.OOMKilled {
		return fmt.Errorf("keep datadir: the server's shutdown failed (exit code %d)%s", st.ExitCode, containerLogs(c, password))
	}
	return moveDatadir(ctx, datadir, dst)
}

// initMount is where a container started on a copy of a datadir finds its
// init file.
const initMount = "/run/rehearse-init"

// hostBinds are the bind mounts of a host datadir folder: the datadir, and
// the init file's folder when there is one.
func hostBinds(hostDir string) []string {
	binds := []string{filepath.Join(hostDir, "data") + ":" + containerDatadir}
	if _, err := os.Stat(filepath.Join(hostDir, "init")); err == nil {
		binds = append(binds, filepath.Join(hostDir, "init")+":"+initMount)
	}
	return binds
}

// passwordInit gives root this container's password on a datadir another
// container initialised (whose root had that one's): an init file the
// server reads at start, written through a FIFO so the password never
// touches the disk. It returns the server option and a stop function that
// ends the writer (once the server has read it, or when it never will).
func passwordInit(hostDir, password string) (stop func(), arg string, err error) {
	dir := filepath.Join(hostDir, "init")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, "", err
	}
	fifo := filepath.Join(dir, "init.sql")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		return nil, "", fmt.Errorf("docker engine: init file: %w", err)
	}
	// The server reads it as the datadir's owner (the image's mysql user).
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(hostDir, "data"), &st); err == nil {
		_ = os.Chown(fifo, int(st.Uid), int(st.Gid))
	}
	sql := "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '" + password + "';\n" +
		"ALTER USER 'root'@'%' IDENTIFIED BY '" + password + "';\n" +
		"GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;\n" +
		"ALTER USER 'root'@'localhost' IDENTIFIED BY '" + password + "';\n"
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			// Non-blocking: no reader yet is ENXIO, so stop can end it.
			f, err := os.OpenFile(fifo, os.O_WRONLY|unix.O_NONBLOCK, 0)
			if err == nil {
				_, _ = f.WriteString(sql) // under PIPE_BUF: written whole
				f.Close()
				return
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished; _ = os.Remove(fifo) }, "--init-file=" + initMount + "/init.sql", nil
}
