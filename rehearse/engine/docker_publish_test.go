package engine_test

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// TestPublishFor: where the server's port is published for each kind of
// Docker host address.
func TestPublishFor(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		daemon string
		bind   string
		remote bool
	}{
		{"unix:///var/run/docker.sock", "127.0.0.1", false},
		{"npipe:////./pipe/docker_engine", "127.0.0.1", false},
		{"tcp://127.0.0.1:2375", "127.0.0.1", false},
		{"tcp://127.0.0.2:2375", "127.0.0.1", false},
		{"tcp://localhost:2375", "127.0.0.1", false},
		{"tcp://[::1]:2375", "127.0.0.1", false},
		{"tcp://192.0.2.10:2376", "192.0.2.10", true},
		{"https://198.51.100.4:2376", "198.51.100.4", true},
		{"tcp://[2001:db8::5]:2376", "2001:db8::5", true},
		{"tcp://[::ffff:192.0.2.10]:2376", "192.0.2.10", true},
	} {
		bind, host, remote, err := engine.PublishFor(ctx, tc.daemon)
		if err != nil {
			t.Errorf("%s: %v", tc.daemon, err)
			continue
		}
		if bind.String() != tc.bind || host != tc.bind || remote != tc.remote {
			t.Errorf("%s: publish on %s, connect to %s, remote %v; want %s, %s, %v", tc.daemon, bind, host, remote, tc.bind, tc.bind, tc.remote)
		}
	}
	if _, _, _, err := engine.PublishFor(ctx, "tcp://no-such-host.invalid:2376"); err == nil {
		t.Errorf("a Docker host whose name does not resolve: no error")
	}
}

// TestDockerRemotePublish starts sandboxes as for a remote daemon, on this
// machine's daemon: published on this host's non-loopback address (what a
// remote daemon's host is reached by), only there, and guarded by the
// random password; and, when the daemon's host lacks that address (NAT),
// published on all its interfaces with a warning.
func TestDockerRemotePublish(t *testing.T) {
	requireImage(t, "rehearse/mariadb:10.11")
	ip := nonLoopbackIPv4(t)
	opts := engine.Options{Flavor: engine.MariaDB, Version: "10.11"}

	t.Run("daemon host's address", func(t *testing.T) {
		defer engine.SetRemotePublish(ip, ip.String())()
		s, err := (&engine.Docker{}).Start(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop(context.Background())
		if s.Host != ip.String() {
			t.Errorf("Server.Host = %s, want %s", s.Host, ip)
		}
		checkBinding(t, s, ip.String())
		if err := ping(context.Background(), s.Host, s.Port, "root", ""); !mysqlkit.Is(err, mysqlkit.ErrAccessDenied) {
			t.Errorf("root without a password at %s:%d: %v, want access denied", s.Host, s.Port, err)
		}
		if err := ping(context.Background(), s.Host, s.Port, "root", s.Password()); err != nil {
			t.Errorf("root with the password at %s:%d: %v", s.Host, s.Port, err)
		}
	})

	t.Run("address missing on the daemon's host", func(t *testing.T) {
		absent := netip.MustParseAddr("198.51.100.7") // TEST-NET-2: on no interface here
		for _, a := range localAddrs(t) {
			if a == absent {
				testserver.Missing(t, absent.String()+" is an address of this machine: the test needs an address on no interface", "remove that TEST-NET-2 address from the machine's interfaces")
			}
		}
		defer engine.SetRemotePublish(absent, "127.0.0.1")()
		var log syncBuffer
		o := opts
		o.Log = &log
		s, err := (&engine.Docker{}).Start(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop(context.Background())
		if !strings.Contains(log.String(), "cannot publish on "+absent.String()) {
			t.Errorf("no warning about the fallback in the log:\n%s", log.String())
		}
		checkBinding(t, s, "0.0.0.0")
		if err := ping(context.Background(), s.Host, s.Port, "root", ""); !mysqlkit.Is(err, mysqlkit.ErrAccessDenied) {
			t.Errorf("root without a password: %v, want access denied", err)
		}
		if strings.Contains(log.String(), s.Password()) {
			t.Errorf("the log shows root's password")
		}
	})
}

func checkBinding(t *testing.T, s *engine.Server, ip string) {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	res, err := cli.ContainerInspect(context.Background(), s.ID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bound := res.Container.NetworkSettings.Ports[network.MustParsePort("3306/tcp")]
	if len(bound) == 0 {
		t.Fatalf("no published port")
	}
	for _, b := range bound {
		if b.HostIP.String() != ip {
			t.Errorf("published on %s:%s, want %s", b.HostIP, b.HostPort, ip)
		}
	}
}

func localAddrs(t *testing.T) []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	var out []netip.Addr
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, p.Addr().Unmap())
		}
	}
	return out
}

// nonLoopbackIPv4 is an address of this machine other than loopback and
// Docker's bridge (what a remote daemon's host is reached by).
func nonLoopbackIPv4(t *testing.T) netip.Addr {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifs {
		if i.Flags&net.FlagUp == 0 || i.Flags&net.FlagLoopback != 0 || strings.HasPrefix(i.Name, "docker") || strings.HasPrefix(i.Name, "br-") || strings.HasPrefix(i.Name, "veth") {
			continue
		}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Is4() {
				return p.Addr()
			}
		}
	}
	testserver.Missing(t, "a network interface with an IPv4 address besides loopback and Docker's bridge", "a machine on a network")
	return netip.Addr{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
