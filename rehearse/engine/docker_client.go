package engine

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/moby/moby/client"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// newDockerClient returns a Docker API client for host ("" = the usual
// discovery of the Docker client library: DOCKER_HOST, DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH, else the default socket). The API version is negotiated
// with the daemon on the first request, so daemons down to API 1.40 work
// (this machine's Docker 20.10 speaks 1.41).
func newDockerClient(host string) (*client.Client, error) {
	opts := []client.Opt{client.FromEnv}
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	return client.New(opts...)
}

// daemonIsLocal reports whether a daemon address is on this machine, so a
// published port can be bound to 127.0.0.1 and reached there.
func daemonIsLocal(daemonHost string) bool {
	u, err := url.Parse(daemonHost)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "unix", "npipe", "":
		return true
	case "tcp", "http", "https":
		h := u.Hostname()
		return h == "localhost" || h == "127.0.0.1" || h == "::1"
	}
	return false
}

// daemonAddress is the host name where a remote daemon publishes ports.
func daemonAddress(daemonHost string) string {
	u, err := url.Parse(daemonHost)
	if err != nil || u.Hostname() == "" {
		return "127.0.0.1"
	}
	return u.Hostname()
}

var tc struct {
	sync.Mutex
	done bool
	host string
}

// setupTestcontainers configures testcontainers-go once per process, before
// its first use (it reads its configuration once and caches it):
//
//   - the reaper (Ryuk) is disabled: its image cannot be pulled where no
//     registry is reachable, and the engine cleans up itself (labels, Stop on
//     every path, CleanStale for what a killed process left);
//   - the Docker host is the engine's Host, when set (testcontainers resolves
//     the host from DOCKER_HOST, once);
//   - its log lines are dropped (the engine reports progress to Options.Log).
//
// A later engine asking for another Docker host in the same process is an
// error: testcontainers cannot switch hosts.
func setupTestcontainers(host string) error {
	tc.Lock()
	defer tc.Unlock()
	if tc.done {
		if host != "" && host != tc.host {
			return fmt.Errorf("docker engine: this process already uses Docker host %q; testcontainers cannot switch to %q", tc.host, host)
		}
		return nil
	}
	if err := os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true"); err != nil {
		return err
	}
	if host != "" {
		if err := os.Setenv("DOCKER_HOST", host); err != nil {
			return err
		}
	}
	tclog.SetDefault(tclog.NewNoopLogger())
	tc.done = true
	tc.host = host
	return nil
}

// shortID is the 12-character form of a container id.
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
