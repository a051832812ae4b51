package engine

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
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
// options; the server port is published on 127.0.0.1 (on the daemon's
// address for a remote daemon); root has no password.
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
}

var _ Engine = (*Docker)(nil)

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
	local := daemonIsLocal(cli.DaemonHost())
	bindIP := netip.IPv4Unspecified()
	host := daemonAddress(cli.DaemonHost())
	if local {
		bindIP = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		host = "127.0.0.1"
	}
	args := instrumentationArgs(flavor)
	if flavor == MariaDB {
		// MariaDB 11.4+ generates a TLS certificate at every start (1-3 s
		// here); the local engine skips TLS for the same reason. A setting
		// (ssl=ON) given after it still wins.
		args = append(args, "--skip-ssl")
	}
	args = append(args, serverArgs(opts.Settings)...)
	log("docker engine: starting %s on %s", image, cli.DaemonHost())
	t0 := time.Now()
	c, err := testcontainers.Run(ctx, image,
		testcontainers.WithEnv(map[string]string{
			// Both spellings: the official mysql image reads MYSQL_*, the
			// mariadb image MARIADB_* (and MYSQL_* too), ours both.
			"MYSQL_ALLOW_EMPTY_PASSWORD":        "yes",
			"MARIADB_ALLOW_EMPTY_ROOT_PASSWORD": "yes",
		}),
		testcontainers.WithCmd(args...),
		testcontainers.WithExposedPorts(serverPort),
		testcontainers.WithLabels(ownerLabels(instance)),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{
				network.MustParsePort(serverPort): {{HostIP: bindIP, HostPort: "0"}},
			}
		}),
		testcontainers.WithLogger(tclog.NewNoopLogger()),
	)
	// From here on every failure removes the container, found by its
	// instance label (c may be nil when creation was interrupted).
	fail := func(err error) (*Server, error) {
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
		return nil, err
	}
	if err != nil {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		return fail(fmt.Errorf("docker engine: start %s: %w", image, err))
	}
	started := time.Since(t0)
	mapped, err := c.MappedPort(ctx, serverPort)
	if err != nil {
		return fail(fmt.Errorf("docker engine: published port of %s: %w", image, err))
	}
	s := &Server{Engine: "docker", Host: host, Port: int(mapped.Num()), User: "root", ID: shortID(c.GetContainerID())}
	exited := containerExited(c, image)
	err = waitGreeting(ctx, net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), ReadyTimeout, exited)
	var db *sql.DB
	if err == nil {
		db, err = waitReady(ctx, s, ReadyTimeout, exited)
	}
	if err != nil {
		if ctx.Err() == nil {
			err = fmt.Errorf("docker engine: %s: %w%s", image, err, containerLogs(c))
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
	log("docker engine: %s %s in container %s at %s:%d (container started in %s, first query after %s)",
		s.Flavor, s.Version, s.ID, s.Host, s.Port, started.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	host0 := d.Host
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
		if err != nil {
			return fmt.Errorf("docker engine: remove container %s: %w", s.ID, err)
		}
		return nil
	}
	return s, nil
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
