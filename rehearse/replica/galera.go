package replica

// A Galera cluster (MariaDB with galera-4) of N nodes on the local engine,
// from copies of the filled datadir: the way scripts/galera/start.sh
// showed works on this host. A seed node bootstraps a cluster once on a
// copy (so the datadir gets the cluster's state, grastate.dat) and shuts
// down cleanly; node 1 then bootstraps on a copy of the seed's datadir and
// every other node joins from its own copy of it — the same state, so a
// joiner needs an incremental transfer at most, never a full copy of the
// data. Each node listens for the group and the incremental transfer on
// free loopback ports of its own.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
)

// GaleraProvider is the wsrep provider of Debian's galera-4 package.
var GaleraProvider = "/usr/lib/galera/libgalera_smm.so"

// MaxGaleraNodes caps a rehearsed cluster on this kind of machine (every
// node applies every write set: N servers on the same cores).
const MaxGaleraNodes = 3

// Galera is the replication mode of a Galera topology (Plan.Mode).
const Galera = "galera"

// GaleraReadyTimeout bounds how long a node may take to be synced.
var GaleraReadyTimeout = 2 * time.Minute

// resolver is an engine that says which binary it would start.
type resolver interface {
	Resolve(ctx context.Context, opts engine.Options) (engine.Binary, error)
}

// GaleraSupported says why a Galera cluster of opts cannot start on e
// (nil when it can): the local engine with a MariaDB build whose root has
// galera-4's provider, or the docker engine (Debian's mariadb-server
// depends on galera-4, so the rehearse/mariadb images have it; a node of
// an image without it fails to start, its log naming the provider).
func GaleraSupported(ctx context.Context, e engine.Engine, opts engine.Options) error {
	if err := GaleraEngine(e, opts.Flavor); err != nil {
		return err
	}
	if e.Name() == "docker" {
		return nil
	}
	r, ok := e.(resolver)
	if !ok {
		return fmt.Errorf("the %s engine cannot say which server it starts", e.Name())
	}
	bin, err := r.Resolve(ctx, opts)
	if err != nil {
		return err
	}
	for _, f := range []string{GaleraProvider, "/usr/bin/wsrep_sst_mysqldump"} {
		if _, err := os.Stat(filepath.Join(bin.Rootfs, f)); err != nil {
			where := "this host"
			if bin.Rootfs != "" {
				where = "the image root " + bin.Rootfs + " of " + bin.String()
			}
			return rehearse.WithHint(fmt.Errorf("a Galera cluster of %s needs %s, which %s lacks", bin, f, where), "%s", galeraHint)
		}
	}
	return nil
}

const galeraHint = "install galera-4 (scripts/setup.sh does) and use --engine local with the host's MariaDB, or --engine docker with the rehearse/mariadb images (make images); or --galera 0 to rehearse one server"

// GaleraEngine is GaleraSupported's check of the engine and the flavor
// alone, without looking for a binary (before any work): the local or
// docker engine, MariaDB ("" passes: the snapshot's flavor decides later).
func GaleraEngine(e engine.Engine, flavor engine.Flavor) error {
	hint := galeraHint
	if e == nil || e.Name() != "local" && e.Name() != "docker" {
		name := "this"
		if e != nil {
			name = "the " + e.Name()
		}
		return rehearse.WithHint(fmt.Errorf("a Galera cluster is started on the local or docker engine only, not on %s engine", name), "%s", hint)
	}
	if flavor != "" && flavor != engine.MariaDB {
		return rehearse.WithHint(fmt.Errorf("a Galera cluster needs MariaDB (galera-4), not %s", flavor), "--galera 0")
	}
	return nil
}

// galeraNode is one node's addresses on the local engine: free loopback
// ports for the group and the incremental transfer. In a container the
// node listens on Galera's own ports (4567, 4568) at its address on the
// Docker network, which Galera finds itself.
type galeraNode struct{ gcomm, ist int }

// galeraPort is Galera's group port in a container.
const galeraPort = 4567

// SSTUser is the account a donor node uses to tell a joiner where its
// incremental transfer starts (the mysqldump method connects to the
// joiner even for an IST); created in the seed, so every node's copy has
// it, with a random password per cluster that never leaves the servers'
// options. The local engine's nodes do without (root over loopback has
// no password there).
const SSTUser = "rehearse_sst"

// galeraSettings are node i's (1-based) wsrep options; address is the
// cluster address ("gcomm://" bootstraps a new cluster), sstAuth
// wsrep_sst_auth ("" none).
func (p Plan) galeraSettings(n *galeraNode, i int, address, sstAuth string) map[string]string {
	s := map[string]string{
		"wsrep_on":                 "ON",
		"wsrep_provider":           GaleraProvider,
		"wsrep_cluster_name":       "rehearse",
		"wsrep_cluster_address":    address,
		"wsrep_node_name":          fmt.Sprintf("node-%d", i),
		"wsrep_provider_options":   "gcache.size=64M",
		"wsrep_sst_method":         "mysqldump",
		"binlog_format":            "ROW",
		"innodb_autoinc_lock_mode": "2",
		"server_id":                strconv.Itoa(i),
	}
	if n != nil {
		s["wsrep_node_address"] = fmt.Sprintf("127.0.0.1:%d", n.gcomm)
		s["wsrep_provider_options"] = fmt.Sprintf("gmcast.listen_addr=tcp://127.0.0.1:%d;ist.recv_addr=127.0.0.1:%d;gcache.size=64M", n.gcomm, n.ist)
	}
	if sstAuth != "" {
		s["wsrep_sst_auth"] = sstAuth
	}
	if p.OSUMethod != "" {
		s["wsrep_OSU_method"] = p.OSUMethod
	}
	if p.GaleraApplierThreads > 0 {
		s["wsrep_slave_threads"] = strconv.Itoa(p.GaleraApplierThreads)
	}
	return s
}

// provisionGalera starts a cluster of o.Plan.Galera nodes on copies of
// datadir (Provision). Nodes: node-1 (Primary, where the rehearsal runs
// its statements and load) and node-2.. (Replicas). On error nothing it
// started is left.
func provisionGalera(ctx context.Context, datadir string, o StartOptions) (_ *Topology, err error) {
	p := o.Plan
	if p.Galera < 2 || p.Galera > MaxGaleraNodes {
		return nil, fmt.Errorf("replica: a Galera cluster of %d nodes: rehearse starts 2 to %d", p.Galera, MaxGaleraNodes)
	}
	if err := GaleraSupported(ctx, o.Engine, o.Base); err != nil {
		return nil, err
	}
	t := &Topology{Plan: p, log: o.Log, d: dialect{flavor: o.Base.Flavor, version: o.Version, gtid: true}}
	var started []*Node
	defer func() {
		if err != nil {
			t.Primary, t.Replicas = nil, started
			_ = t.Stop(context.WithoutCancel(ctx))
		}
	}()
	docker := o.Engine.Name() == "docker"
	// cluster is the address joiners join: every node's loopback port
	// (local), node-1's address on the Docker network once it runs.
	var cluster, sstAuth string
	addrs := make([]*galeraNode, p.Galera)
	if !docker {
		var gcomm []string
		for i := range addrs {
			addrs[i] = &galeraNode{}
			for _, port := range []*int{&addrs[i].gcomm, &addrs[i].ist} {
				if *port, err = engine.FreePort(); err != nil {
					return nil, fmt.Errorf("galera: a free port: %w", err)
				}
			}
			gcomm = append(gcomm, fmt.Sprintf("127.0.0.1:%d", addrs[i].gcomm))
		}
		cluster = "gcomm://" + strings.Join(gcomm, ",")
	}
	start := func(i int, data, address string) (*Node, error) {
		opts := o.Base
		opts.Datadir = data
		opts.Settings = map[string]string{}
		for k, v := range o.Base.Settings {
			opts.Settings[k] = v
		}
		for k, v := range p.galeraSettings(addrs[i-1], i, address, sstAuth) {
			opts.Settings[k] = v
		}
		s, err := o.Engine.Start(ctx, opts)
		if err != nil {
			if _, pw, ok := strings.Cut(sstAuth, ":"); ok {
				err = scrub(err, pw)
			}
			return nil, fmt.Errorf("galera: start node-%d: %w", i, err)
		}
		n := &Node{Name: fmt.Sprintf("node-%d", i), ServerID: i, Server: s}
		started = append(started, n)
		if err := waitSynced(ctx, s); err != nil {
			return nil, fmt.Errorf("galera: node-%d: %w", i, err)
		}
		return n, nil
	}
	// The seed: one bootstrap on a copy gives the datadir the cluster's
	// state; its clean shutdown records it (grastate.dat, safe to
	// bootstrap).
	t0 := time.Now()
	seed, err := start(1, datadir, "gcomm://")
	if err != nil {
		return nil, err
	}
	if docker {
		pw := randomHex(16)
		if err := createSSTUser(ctx, seed.Server, pw); err != nil {
			return nil, scrub(err, pw)
		}
		sstAuth = SSTUser + ":" + pw
	}
	base := ""
	if seed.Server.Datadir != "" {
		base = filepath.Dir(filepath.Dir(seed.Server.Datadir))
	}
	dir, err := engine.SandboxDir(base)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	state := filepath.Join(dir, "data")
	if err := seed.Server.KeepDatadir(ctx, state); err != nil {
		return nil, fmt.Errorf("galera: the seed's clean shutdown: %w", err)
	}
	_ = seed.Server.Stop(context.WithoutCancel(ctx))
	started = nil
	t.Seed = time.Since(t0)
	t.logf("galera: seed state recorded in %s", t.Seed.Round(time.Millisecond))
	t1 := time.Now()
	first, err := start(1, state, "gcomm://")
	if err != nil {
		return nil, err
	}
	t.Primary = first
	if docker {
		if first.Server.PeerHost == "" {
			return nil, errors.New("galera: node-1 has no address on the Docker network")
		}
		cluster = fmt.Sprintf("gcomm://%s:%d", first.Server.PeerHost, galeraPort)
	}
	// The joiners one at a time: each joins from the same state as the
	// cluster's and needs an incremental transfer (IST) of what node 1
	// wrote since (a view change is a write set too). The mysqldump
	// method's joiner runs no script for an IST; rsync's spent 5–10 s
	// here preparing a transfer it did not make.
	for i := 2; i <= p.Galera; i++ {
		n, err := start(i, state, cluster)
		if err != nil {
			return nil, err
		}
		t.Replicas = append(t.Replicas, n)
	}
	t.Start = time.Since(t1)
	db, err := first.Server.Open("")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	size, err := galeraStatus(ctx, db, "wsrep_cluster_size")
	if err != nil {
		return nil, err
	}
	if size != strconv.Itoa(p.Galera) {
		return nil, fmt.Errorf("galera: the cluster has %s nodes after every join, not %d", size, p.Galera)
	}
	t.logf("galera: %d nodes synced in %s (wsrep_OSU_method=%s)", p.Galera, t.Start.Round(time.Millisecond), p.osu())
	return t, nil
}

// createSSTUser creates SSTUser on the seed (every node's copy has it).
func createSSTUser(ctx context.Context, s *engine.Server, pw string) error {
	db, err := s.Open("")
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE USER '" + SSTUser + "'@'%' IDENTIFIED BY '" + pw + "'",
		"GRANT ALL PRIVILEGES ON *.* TO '" + SSTUser + "'@'%'",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("galera: the state transfer account: %w", err)
		}
	}
	return nil
}

func (p Plan) osu() string {
	if p.OSUMethod == "" {
		return "TOI"
	}
	return strings.ToUpper(p.OSUMethod)
}

// waitSynced waits until a node is part of the primary component and
// synced.
func waitSynced(ctx context.Context, s *engine.Server) error {
	db, err := s.Open("")
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(GaleraReadyTimeout)
	for {
		state, err := galeraStatus(ctx, db, "wsrep_local_state_comment")
		if err == nil && state == "Synced" {
			if ready, _ := galeraStatus(ctx, db, "wsrep_ready"); ready == "ON" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not synced after %s (wsrep_local_state_comment %q, %v)", GaleraReadyTimeout, state, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func galeraStatus(ctx context.Context, db *sql.DB, name string) (string, error) {
	var n, v string
	err := db.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE '"+name+"'").Scan(&n, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("no status %s: not a Galera node", name)
	}
	return v, err
}
