// Package guard is the production guard: the one check every command that
// writes to a server it did not start (the dsn engine's target, `rehearse
// generate`'s) makes before writing. A target is production when it is
// the snapshot's source, replicates from it (or it from the target),
// shares an upstream with it, or belongs to the same Galera cluster or
// group replication group. A snapshot without its source's identity never
// turns the guard off: writes to an existing server are refused, since
// nothing then tells production apart.
package guard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/snapshot"
)

// ErrProduction is wrapped by every refusal.
var ErrProduction = errors.New("the target is production")

const hint = "write to a staging or scratch server that is not part of production's replication, or leave the target out for a throwaway server (--engine auto, docker or local); docs/security.md says how the guard decides"

// Check refuses the server behind db when it is, or is part of, the
// snapshot's source. It only reads (system variables, SHOW ... STATUS).
func Check(ctx context.Context, db *sql.DB, src snapshot.Source) error {
	refuse := func(format string, args ...any) error {
		return rehearse.WithHint(fmt.Errorf("%w: "+format, append([]any{ErrProduction}, args...)...), "%s", hint)
	}
	if !hasIdentity(src) || strings.HasPrefix(src.Origin, "dump:") {
		what := "records no identity of its source server"
		if strings.HasPrefix(src.Origin, "dump:") {
			what = "was made from a dump (" + strings.TrimPrefix(src.Origin, "dump:") + "), so it holds no identity of production's server"
		}
		return rehearse.WithHint(fmt.Errorf("%w (cannot be ruled out): the snapshot %s, so rehearse cannot tell whether this server is production, and writes only to servers it starts itself", ErrProduction, what),
			"take the snapshot from the server itself (rehearse snapshot --dsn) so it records its identity, or use a throwaway server (--engine auto, docker or local)")
	}
	t, err := snapshot.ReadIdentity(ctx, db)
	if err != nil {
		return fmt.Errorf("production guard: %w", err)
	}
	tUUID := t.ServerUUID
	if tUUID == "" {
		tUUID = fmt.Sprintf("mariadb:%s:%d:%s", t.Hostname, t.Port, t.Datadir)
	}
	if src.ServerUUID != "" && tUUID == src.ServerUUID {
		return refuse("its identity %s equals the one the snapshot recorded for its source", tUUID)
	}
	s := src.Identity
	if s == nil {
		return nil // a snapshot of an earlier version: the server identity is all it has
	}
	// The same server under a new UUID (MySQL makes one when auto.cnf is
	// lost: a restored backup, a rebuilt container on the same volume).
	if s.Hostname != "" && s.Datadir != "" && s.Port != 0 && s.Hostname == t.Hostname && s.Port == t.Port && s.Datadir == t.Datadir {
		return refuse("it has the same host name, port and data directory as the snapshot's source (%s:%d, %s)", t.Hostname, t.Port, t.Datadir)
	}
	if t.TopologyUnknown != "" {
		return refuse("rehearse cannot tell whether it replicates from the snapshot's source: %s", t.TopologyUnknown)
	}
	for _, u := range t.Upstreams {
		if isSource(u, src, s) {
			return refuse("it replicates from the snapshot's source (%s)", describe(u))
		}
		for _, su := range s.Upstreams {
			if sameUpstream(u, su) {
				return refuse("it replicates from %s, as the snapshot's source does", describe(u))
			}
		}
	}
	for _, su := range s.Upstreams {
		if su.UUID != "" && su.UUID == t.ServerUUID || sameHost(su.Host, su.Port, t.Hostname, t.Port) {
			return refuse("the snapshot's source replicates from it")
		}
	}
	if t.GaleraCluster != "" && t.GaleraCluster == s.GaleraCluster {
		return refuse("it is a member of the snapshot source's Galera cluster %s", t.GaleraCluster)
	}
	if t.ReplicationGroup != "" && t.ReplicationGroup == s.ReplicationGroup {
		return refuse("it is a member of the snapshot source's replication group %s", t.ReplicationGroup)
	}
	return nil
}

// isSource reports whether an upstream of the target is the snapshot's
// source: by server UUID, by server id (unique within a replication
// topology, and this is one), or by host name and port.
func isSource(u snapshot.Upstream, src snapshot.Source, s *snapshot.Identity) bool {
	return u.UUID != "" && (u.UUID == s.ServerUUID || u.UUID == src.ServerUUID) ||
		u.ServerID != 0 && u.ServerID == s.ServerID ||
		sameHost(u.Host, u.Port, s.Hostname, s.Port)
}

func sameUpstream(a, b snapshot.Upstream) bool {
	return a.UUID != "" && a.UUID == b.UUID || sameHost(a.Host, a.Port, b.Host, b.Port) && !loopback(a.Host)
}

// sameHost compares a host as a replica names it with a server's own
// host name: equal, or equal up to the domain.
func sameHost(h1 string, p1 int, h2 string, p2 int) bool {
	if h1 == "" || h2 == "" || p1 != p2 {
		return false
	}
	short := func(h string) string { h, _, _ = strings.Cut(strings.ToLower(h), "."); return h }
	return strings.EqualFold(h1, h2) || !isIP(h1) && !isIP(h2) && short(h1) == short(h2)
}

func isIP(h string) bool { return net.ParseIP(strings.Trim(h, "[]")) != nil }

func loopback(h string) bool { return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1" }

func describe(u snapshot.Upstream) string {
	s := fmt.Sprintf("%s:%d", u.Host, u.Port)
	if u.ServerID != 0 {
		s += fmt.Sprintf(", server_id %d", u.ServerID)
	}
	if u.UUID != "" {
		s += ", " + u.UUID
	}
	return s
}

// hasIdentity reports whether the snapshot records enough of its source to
// tell it apart: a server UUID (MySQL's, or MariaDB's host:port:datadir
// with every part), and, when the identity block is there, its host name,
// port and data directory. An empty or partial identity (a hand-edited or
// damaged file) is no identity: it never turns the guard off.
func hasIdentity(src snapshot.Source) bool {
	if src.ServerUUID == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(src.ServerUUID, "mariadb:"); ok {
		parts := strings.SplitN(rest, ":", 3)
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[1] == "0" || parts[2] == "" {
			return false
		}
	}
	if s := src.Identity; s != nil && (s.Hostname == "" || s.Port == 0 || s.Datadir == "") {
		return false
	}
	return true
}
