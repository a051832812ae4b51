package engine

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

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

// publishing says where a container's server port is published on the
// daemon's host and where clients reach it.
type publishing struct {
	bind   netip.Addr // HostIP of the port binding
	host   string     // the address in the DSN
	remote bool       // the daemon is on another machine
}

var loopback4 = netip.AddrFrom4([4]byte{127, 0, 0, 1})

// publishFor decides where to publish for the daemon at daemonHost. A
// daemon on this machine (a unix socket, a named pipe, a tcp address on
// loopback) publishes on 127.0.0.1: nothing else on the network sees the
// server. A remote daemon publishes on the address this machine reaches it
// by, resolved here (the first IPv4 address of its name, else the first
// address): not on every interface of that host, but the server is on
// the network and only root's random password guards it.
func publishFor(ctx context.Context, daemonHost string) (publishing, error) {
	if daemonIsLocal(daemonHost) {
		return publishing{bind: loopback4, host: "127.0.0.1"}, nil
	}
	name := daemonAddress(daemonHost)
	if name == "" {
		return publishing{}, fmt.Errorf("docker engine: Docker host %q names no host to publish the server's port on", daemonHost)
	}
	ip, err := netip.ParseAddr(name)
	if err != nil {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ips, lerr := net.DefaultResolver.LookupNetIP(rctx, "ip", name)
		cancel()
		if lerr != nil || len(ips) == 0 {
			return publishing{}, fmt.Errorf("docker engine: resolve the Docker host %s: %v", name, lerr)
		}
		ip = ips[0]
		for _, a := range ips {
			if a.Unmap().Is4() {
				ip = a
				break
			}
		}
	}
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return publishing{bind: loopback4, host: "127.0.0.1"}, nil
	}
	return publishing{bind: ip, host: ip.String(), remote: true}, nil
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
		if h == "localhost" {
			return true
		}
		ip, err := netip.ParseAddr(h)
		return err == nil && ip.Unmap().IsLoopback()
	}
	return false
}

// daemonAddress is the host name of a remote daemon's address ("" when it
// has none).
func daemonAddress(daemonHost string) string {
	u, err := url.Parse(daemonHost)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// bindRefused reports whether a container failed to start because its
// daemon's host has no interface with the address the port was to be
// published on (a daemon behind NAT, reached through a tunnel, ...).
func bindRefused(err error) bool {
	return err != nil && strings.Contains(err.Error(), "cannot assign requested address")
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
