package engine

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// Docker runs the server in a container through testcontainers-go: the
// image from Options.Image, else the locally built rehearse/<flavor>:<v>
// (`make images`), else the official mysql:<v> / mariadb:<v> (pulled when
// missing). Settings and the metadata-lock instrumentation become server
// options. Root has a random password made for each sandbox (Server.DSN
// carries it). The server port is published on 127.0.0.1 when the daemon
// runs on this machine; on a remote daemon's host it is published on the
// address this machine reaches that host by (all its interfaces when that
// host lacks the address, behind NAT), so there the server is on the
// network, guarded by the password only.
//
// Cleanup does not depend on testcontainers' reaper (Ryuk is disabled: its
// image cannot be pulled everywhere): every container carries owner labels
// (LabelOwnerPID, ...), Start removes what it created on every error path
// including a cancelled ctx, Stop kills and removes the container and its
// volumes (no graceful shutdown: the data is thrown away anyway), and
// CleanStale removes containers left by killed processes.
type Docker struct {
	// Host is the Docker daemon address (unix:///var/run/docker.sock,
	// tcp://host:2376). "" finds it the usual way (DOCKER_HOST, else the
	// default socket). The cmd layer passes $DOCKER_HOST here. One process
	// uses one Docker host.
	Host string
	// CacheDir holds the images' exported datadirs (templates/docker-<id>),
	// for containers whose datadir is a folder of this host
	// (Options.HostDatadir); "" lets such a container initialise its own.
	CacheDir string
	// TempDir is where such folders live ("" = os.TempDir()).
	TempDir string
}

// Name returns "docker", the --engine name.
func (d *Docker) Name() string { return "docker" }

// serverPort is the port the server listens on inside the container.
const serverPort = "3306/tcp"

// Start starts a container and waits until the server answers a query.
func (d *Docker) Start(ctx context.Context, opts Options) (*Server, error) {
	log := func(format string, args ...any) { logf(opts.Log, format, args...) }
	if err := setupTestcontainers(d.Host); err != nil {
		return nil, err
	}
	cli, err := newDockerClient(d.Host)
	if err != nil {
		return nil, fmt.Errorf("%w: docker engine: %v", ErrUnavailable, err)
	}
	defer cli.Close()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, err = cli.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true})
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, dockerUnavailable(DockerInfo{Host: cli.DaemonHost(), Error: err.Error(), Hint: dockerHint})
	}
	image, flavor, err := chooseImage(ctx, cli, opts, log)
	if err != nil {
		return nil, err
	}

	instance := randomID()
	password := RandomPassword()
	pub, err := publishPlan(ctx, cli.DaemonHost())
	if err != nil {
		return nil, err
	}
	args := instrumentationArgs(flavor)
	if flavor == MariaDB {
		// MariaDB 11.4+ generates a TLS certificate at every start (1-3 s
		// here); the local engine skips TLS for the same reason. A setting
		// (ssl=ON) given after it still wins.
		args = append(args, "--skip-ssl")
	}
	args = append(args, serverArgs(opts.Settings)...)
	// A datadir of this host, bind-mounted (docker_datadir.go); on a copy
	// of an existing one root gets this container's password from an
	// init file the server reads through a FIFO.
	var hostDir string
	var copied time.Duration
	kept := false // the started server owns hostDir
	if opts.Datadir != "" || opts.HostDatadir {
		t0 := time.Now()
		if hostDir, err = d.hostDatadir(ctx, cli, image, opts, log); err != nil {
			return nil, err
		}
		if opts.Datadir != "" {
			copied = time.Since(t0)
		}
		defer func() {
			if !kept {
				_ = os.RemoveAll(hostDir)
			}
		}()
	}
	if opts.Datadir != "" {
		stopInit, initArg, err := passwordInit(hostDir, password)
		if err != nil {
			return nil, err
		}
		defer stopInit()
		args = append(args, initArg)
	}
	run := func(bind netip.Addr) (*testcontainers.DockerContainer, error) {
		log("docker engine: starting %s on %s, port published on %s", image, cli.DaemonHost(), bind)
		return testcontainers.Run(ctx, image,
			testcontainers.WithEnv(map[string]string{
				// Both spellings: the official mysql image reads MYSQL_*,
				// the mariadb image MARIADB_* (and MYSQL_* too), ours both.
				// The daemon keeps it in the container's configuration:
				// whoever can use the daemon can read it (and could exec
				// into the container anyway).
				"MYSQL_ROOT_PASSWORD":   password,
				"MARIADB_ROOT_PASSWORD": password,
			}),
			testcontainers.WithCmd(args...),
			testcontainers.WithExposedPorts(serverPort),
			testcontainers.WithLabels(ownerLabels(instance)),
			testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
				hc.PortBindings = network.PortMap{
					network.MustParsePort(serverPort): {{HostIP: bind, HostPort: "0"}},
				}
				if hostDir != "" {
					hc.Binds = append(hc.Binds, hostBinds(hostDir)...)
				}
			}),
			testcontainers.WithLogger(tclog.NewNoopLogger()),
		)
	}
	t0 := time.Now()
	c, err := run(pub.bind)
	// From here on every failure removes the container, found by its
	// instance label (c may be nil when creation was interrupted).
	remove := func(c *testcontainers.DockerContainer) {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c != nil {
			_ = c.Terminate(cctx, testcontainers.StopTimeout(0))
		}
		// A create request cut short by ctx may still complete in the
		// daemon after we looked: sweep again for a while in that case.
		settle := time.Duration(0)
		if c == nil {
			settle = createSettle
		}
		sweepInstance(cctx, cli, instance, settle)
	}
	if err != nil && pub.remote && bindRefused(err) && ctx.Err() == nil {
		// The daemon's host does not have the address we reach it by
		// (NAT, a tunnel): publish on all its interfaces instead, still
		// behind root's random password.
		remove(c)
		log("docker engine: warning: the Docker host cannot publish on %s (the address this machine reaches it by); publishing on all its interfaces, guarded by root's random password", pub.bind)
		pub.bind = netip.IPv4Unspecified()
		c, err = run(pub.bind)
	}
	fail := func(err error) (*Server, error) {
		remove(c)
		return nil, err
	}
	if err != nil {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		return fail(fmt.Errorf("docker engine: start %s: %s", image, scrub(err.Error(), password)))
	}
	started := time.Since(t0)
	mapped, err := c.MappedPort(ctx, serverPort)
	if err != nil {
		return fail(fmt.Errorf("docker engine: published port of %s: %w", image, err))
	}
	s := &Server{Engine: "docker", Host: pub.host, Port: int(mapped.Num()), User: "root", password: password, ownPassword: true, ID: shortID(c.GetContainerID())}
	exited := containerExited(c, image, password)
	err = waitGreeting(ctx, net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), ReadyTimeout, exited)
	var db *sql.DB
	if err == nil {
		db, err = waitReady(ctx, s, ReadyTimeout, exited)
	}
	if err != nil {
		if ctx.Err() == nil {
			err = fmt.Errorf("docker engine: %s: %w%s", image, err, containerLogs(c, password))
		}
		return fail(err)
	}
	defer db.Close()
	if err := identify(ctx, db, s); err != nil {
		return fail(fmt.Errorf("docker engine: %w", err))
	}
	if err := enableMDLInstrumentation(ctx, db); err != nil {
		return fail(fmt.Errorf("docker engine: %w", err))
	}
	// Other containers (a replica) reach the server at its address on the
	// Docker network, not at the port published on this host.
	if ip, err := c.ContainerIP(ctx); err == nil && ip != "" {
		s.PeerHost, s.PeerPort = ip, 3306
	}
	log("docker engine: %s %s in container %s at %s:%d (container started in %s, first query after %s)",
		s.Flavor, s.Version, s.ID, s.Host, s.Port, started.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	host0 := d.Host
	if hostDir != "" {
		kept = true
		s.hostDatadir = filepath.Join(hostDir, "data")
		s.DatadirCopy = copied
		s.keep = func(ctx context.Context, dst string) error {
			return keepContainerDatadir(ctx, c, s.hostDatadir, dst, password)
		}
	}
	s.stop = func(ctx context.Context) error {
		// No graceful shutdown: the server's data is thrown away with the
		// container, and a MySQL shutdown takes seconds.
		err := c.Terminate(ctx, testcontainers.StopTimeout(0))
		// Terminate gives up when ctx is cancelled (a Ctrl-C path) and
		// closes its client: remove by label with a fresh one. When that
		// succeeds nothing of ours is left, whatever Terminate said.
		if cli, cerr := newDockerClient(host0); cerr == nil {
			rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err = removeInstance(rctx, cli, instance)
			cancel()
			cli.Close()
		}
		if hostDir != "" {
			if rerr := os.RemoveAll(hostDir); rerr != nil && err == nil {
				err = rerr
			}
		}
		if err != nil {
			return fmt.Errorf("docker engine: remove container %s: %w", s.ID, err)
		}
		return nil
	}
	return s, nil
}

// publishPlan is publishFor; a test replaces it to publish as for a remote
// daemon on this machine's daemon.
var publishPlan = publishFor

// RandomPassword is a sandbox's root password: 128 bits from crypto/rand,
// in hex (nothing to escape in a DSN, a URL or a shell).
func RandomPassword() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error()) // never returns an error on Linux
	}
	return hex.EncodeToString(b[:])
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
