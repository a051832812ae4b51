package replica

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rehearse/rehearse/rehearse/engine"
)

// Node is one server of a topology.
type Node struct {
	Name     string // "primary", "replica-1", ...
	ServerID int
	Server   *engine.Server
}

// Topology is a running primary and its replicas. Stop removes them all.
type Topology struct {
	Primary  *Node
	Replicas []*Node
	Plan     Plan
	// Timings of the provisioning, for the report: the clean shutdown of
	// the filled sandbox (FromServer), the parallel start of every server
	// on its copy, and the wiring until every replica replicates.
	Shutdown, Start, Wire time.Duration
	// Seed is a Galera cluster's seed: one bootstrap on a copy and its
	// clean shutdown, before the nodes start (galera.go).
	Seed time.Duration

	d   dialect
	log io.Writer
}

// StartOptions say how to start a topology.
type StartOptions struct {
	Engine engine.Engine
	// Base are the primary's start options as the filled sandbox had them
	// (flavor, version, production's settings); each server adds its
	// replication settings (Plan) and starts on a copy of the datadir.
	Base engine.Options
	// Version is the exact version of the build that filled the datadir.
	Version string
	Plan    Plan
	Log     io.Writer
}

// ReplUser is the account the replicas connect to the primary as; its
// password is random per topology and never leaves the sandboxes.
const ReplUser = "rehearse_repl"

// Provision starts a topology on copies of datadir, a cleanly shut down,
// filled datadir of the build o.Engine starts for o.Base (a data cache
// entry, or what FromServer handed over): the primary (server_id 1) and
// o.Plan.Replicas replicas (server_id 2, 3, ...) all at once, then points
// every replica at the primary from the primary's first binary log event
// (every copy holds the same data) and starts replication. With
// o.Plan.Galera it starts a Galera cluster instead (galera.go). On error,
// nothing it started is left.
func Provision(ctx context.Context, datadir string, o StartOptions) (*Topology, error) {
	if o.Plan.Galera > 0 {
		return provisionGalera(ctx, datadir, o)
	}
	if o.Plan.Replicas < 1 {
		return nil, errors.New("replica: a topology needs at least one replica")
	}
	flavor := o.Base.Flavor
	t := &Topology{Plan: o.Plan, log: o.Log, d: dialect{flavor: flavor, version: o.Version, gtid: o.Plan.GTID || flavor == engine.MariaDB}}
	if flavor == "" {
		return nil, errors.New("replica: the base options name no flavor")
	}
	nodes := make([]*Node, o.Plan.Replicas+1)
	errs := make([]error, len(nodes))
	start := time.Now()
	var wg sync.WaitGroup
	for i := range nodes {
		n := &Node{ServerID: i + 1, Name: "primary"}
		if i > 0 {
			n.Name = fmt.Sprintf("replica-%d", i)
		}
		nodes[i] = n
		opts := o.Base
		opts.Datadir = datadir
		opts.Settings = map[string]string{}
		for k, v := range o.Base.Settings {
			opts.Settings[k] = v
		}
		for k, v := range o.Plan.serverSettings(flavor, o.Version, n.ServerID) {
			opts.Settings[k] = v
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := o.Engine.Start(ctx, opts)
			if err != nil {
				errs[i] = fmt.Errorf("start the %s: %w", n.Name, err)
				return
			}
			n.Server = s
		}()
	}
	wg.Wait()
	t.Start = time.Since(start)
	t.Primary, t.Replicas = nodes[0], nodes[1:]
	if err := errors.Join(errs...); err != nil {
		t.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	t.logf("replicas: %d servers started on copies of the filled datadir in %s", len(nodes), t.Start.Round(time.Millisecond))
	wired := time.Now()
	if err := t.wire(ctx); err != nil {
		t.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	t.Wire = time.Since(wired)
	return t, nil
}

// FromServer hands over the datadir of filled, a running sandbox holding
// the rehearsal's data (KeepDatadir: a clean shutdown, into a sandbox
// folder next to it), and starts the topology on copies of it (Provision).
// filled is stopped and the handed-over folder removed whatever the
// outcome.
func FromServer(ctx context.Context, filled *engine.Server, o StartOptions) (*Topology, error) {
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		_ = filled.Stop(sctx)
		cancel()
	}()
	base := ""
	if filled.Datadir != "" {
		base = filepath.Dir(filepath.Dir(filled.Datadir)) // next to the sandbox: a rename, not a copy
	}
	dir, err := engine.SandboxDir(base)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if o.Version == "" {
		o.Version = filled.Version
	}
	t0 := time.Now()
	data := filepath.Join(dir, "data")
	if err := filled.KeepDatadir(ctx, data); err != nil {
		return nil, fmt.Errorf("replicas: hand over the filled datadir: %w", err)
	}
	shutdown := time.Since(t0)
	t, err := Provision(ctx, data, o)
	if err != nil {
		return nil, err
	}
	t.Shutdown = shutdown
	return t, nil
}

// Nodes lists the primary, then the replicas.
func (t *Topology) Nodes() []*Node { return append([]*Node{t.Primary}, t.Replicas...) }

// Stop stops and removes every server; safe to call more than once.
func (t *Topology) Stop(ctx context.Context) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, n := range t.Nodes() {
		if n == nil || n.Server == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.Server.Stop(ctx); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", n.Name, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (t *Topology) logf(format string, args ...any) {
	if t.log != nil {
		fmt.Fprintf(t.log, format+"\n", args...)
	}
}

// wire creates the replication account on the primary (not binary
// logged), points each replica at the primary's current position (nothing
// has written since the copies were made) and waits until every replica's
// receiver and applier run.
func (t *Topology) wire(ctx context.Context) error {
	pdb, err := t.Primary.Server.Open("")
	if err != nil {
		return err
	}
	defer pdb.Close()
	conn, err := pdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	password := randomHex(16)
	for _, q := range []string{
		"SET SESSION sql_log_bin = 0",
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", ReplUser, password),
		fmt.Sprintf("GRANT REPLICATION SLAVE ON *.* TO '%s'@'%%'", ReplUser),
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("replicas: prepare the primary: %w", scrub(err, password))
		}
	}
	at, err := t.d.position(ctx, conn)
	if err != nil {
		return err
	}
	host, port := t.Primary.Server.PeerHost, t.Primary.Server.PeerPort
	if host == "" {
		return fmt.Errorf("replicas: the %s engine gives no address other servers reach the primary at", t.Primary.Server.Engine)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(t.Replicas))
	for i, n := range t.Replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = t.startReplica(ctx, n, host, port, password, at)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (t *Topology) startReplica(ctx context.Context, n *Node, host string, port int, password string, at Position) error {
	db, err := n.Server.Open("")
	if err != nil {
		return err
	}
	defer db.Close()
	var stmts []string
	if t.d.gtid && !t.d.mysql() {
		stmts = append(stmts, fmt.Sprintf("SET GLOBAL gtid_slave_pos = '%s'", at.GTID))
	}
	stmts = append(stmts, t.d.changeSource(host, port, ReplUser, password, at), t.d.start())
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("replicas: %s: %w", n.Name, scrub(err, password))
		}
	}
	deadline := time.Now().Add(WireTimeout)
	for {
		st, err := oneRow(ctx, db, t.d.replicaStatus())
		if err != nil {
			return fmt.Errorf("replicas: %s: %w", n.Name, err)
		}
		s := status(st)
		if s.ioRunning() == "Yes" && s.sqlRunning() == "Yes" {
			t.logf("replicas: %s (server_id %d, %s:%d) replicates from the primary at %s", n.Name, n.ServerID, n.Server.Host, n.Server.Port, at)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("replicas: %s does not replicate after %s (receiver %q, applier %q): %s", n.Name, WireTimeout, s.ioRunning(), s.sqlRunning(), s.lastError())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// WireTimeout bounds how long a replica may take to connect and run.
var WireTimeout = 30 * time.Second

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// scrub removes a password from an error's text.
func scrub(err error, password string) error {
	if err == nil || password == "" {
		return err
	}
	msg := err.Error()
	if s := strings.ReplaceAll(msg, password, "***"); s != msg {
		return errors.New(s)
	}
	return err
}
