package engine

import (
	"context"
	"net/netip"
)

// SetRemotePublish makes the docker engine publish as for a remote daemon
// reached at host, binding the port to bind, whatever the daemon's address;
// the returned func restores the real decision.
func SetRemotePublish(bind netip.Addr, host string) (restore func()) {
	old := publishPlan
	publishPlan = func(context.Context, string) (publishing, error) {
		return publishing{bind: bind, host: host, remote: true}, nil
	}
	return func() { publishPlan = old }
}

// PublishFor is publishFor's decision for a daemon address.
func PublishFor(ctx context.Context, daemonHost string) (bind netip.Addr, host string, remote bool, err error) {
	p, err := publishFor(ctx, daemonHost)
	return p.bind, p.host, p.remote, err
}
