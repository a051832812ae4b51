package replica_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/replica"
)

// TestProvisionLeavesNothing: provisioning a primary and two replicas from
// a filled datadir leaves no server process and no sandbox folder on every
// way out (MariaDB 10.11, local engine, sandboxes in a folder of the
// test's own): a replica that cannot start, the context ending while the
// servers start, the context ending while the replicas are wired, and a
// normal Stop.
func TestProvisionLeavesNothing(t *testing.T) {
	engineIn, left := localSandboxes(t, testserver.LocalMariaDB())
	provisionLeavesNothing(t, testserver.LocalMariaDB(), "starting mariadb", engineIn, left)
}

// localSandboxes is the local engine of target with its sandboxes in a
// given folder, and the check that no server process runs from it.
func localSandboxes(t *testing.T, target testserver.Target) (func(dir string) engine.Engine, func(t *testing.T, dir string)) {
	local, ok := target.Engine.(*engine.Local)
	if !ok {
		t.Fatalf("%s: not the local engine", target.Name)
	}
	return func(dir string) engine.Engine {
			eng := *local
			eng.TempDir = dir
			return &eng
		}, func(t *testing.T, dir string) {
			if pids := processesUnder(dir); len(pids) > 0 {
				t.Errorf("server processes %v still run from %s", pids, dir)
			}
		}
}

// TestProvisionLeavesNothingDocker is TestProvisionLeavesNothing on the
// docker engine (MariaDB 10.11 image, datadirs in host folders mounted
// into the containers): no container of this process and no folder left
// on every way out.
func TestProvisionLeavesNothingDocker(t *testing.T) {
	target, engineIn, left := dockerSandboxes(t)
	provisionLeavesNothing(t, target, "docker engine: starting", engineIn, left)
}

// dockerSandboxes is the docker engine's MariaDB 10.11 target (its filled
// datadir handed over) with its host folders in a given folder, and the
// check that no container of this process is left but those there before.
func dockerSandboxes(t *testing.T) (testserver.Target, func(dir string) engine.Engine, func(t *testing.T, dir string)) {
	target := testserver.DockerMariaDB()
	testserver.Need(t, target)
	docker, ok := target.Engine.(*engine.Docker)
	if !ok {
		t.Fatalf("%s: not the docker engine", target.Name)
	}
	target.Options.HostDatadir = true // the filled datadir is handed over
	var before map[string]bool        // the filled source's container, until the test ends
	return target, func(dir string) engine.Engine {
			before = map[string]bool{}
			for _, c := range testserver.OwnContainers(t) {
				before[c] = true
			}
			eng := *docker
			eng.TempDir, eng.CacheDir = dir, testserver.CacheDir()
			return &eng
		}, func(t *testing.T, dir string) {
			for _, c := range testserver.OwnContainers(t) {
				if !before[c] {
					t.Errorf("container %s left", c)
				}
			}
		}
}

// provisionLeavesNothing runs the ways out of Provision on an engine whose
// sandboxes go to a folder of the test's own (engineIn), starting says
// the engine's log line for a server start, and left reports what else of
// the engine remains (processes, containers).
func provisionLeavesNothing(t *testing.T, target testserver.Target, starting string, engineIn func(dir string) engine.Engine, left func(t *testing.T, dir string)) {
	src := filled(t, target, 1000)
	data := filepath.Join(t.TempDir(), "data")
	if err := src.KeepDatadir(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	plan := replica.Plan{Replicas: 2, Mode: replica.Async, GTID: true, ParallelWorkers: -1}
	for _, c := range []struct {
		name   string
		plan   func(replica.Plan) replica.Plan
		cancel string // cancel the context when the log says this
		wantOK bool
	}{
		{name: "a replica cannot start", plan: func(p replica.Plan) replica.Plan {
			p.ReplicaSettings = map[string]string{"no_such_server_option": "1"}
			return p
		}},
		{name: "cancelled while the servers start", cancel: starting},
		{name: "cancelled while the replicas are wired", cancel: "servers started on copies"},
		{name: "stopped", wantOK: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			// A short folder of its own: a socket path over 107 bytes
			// (t.TempDir's, with these names) stops the server.
			dir, err := os.MkdirTemp("", "rp")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			eng := engineIn(dir)
			p := plan
			if c.plan != nil {
				p = c.plan(p)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			log := &cancelOn{t: t, says: c.cancel, cancel: cancel}
			base := target.Options
			base.Flavor, base.Log = src.Flavor, log
			topo, err := replica.Provision(ctx, data, replica.StartOptions{Engine: eng, Base: base, Version: src.Version, Plan: p, Log: log})
			switch {
			case c.wantOK && err != nil:
				t.Fatalf("provision: %v", err)
			case !c.wantOK && err == nil:
				_ = topo.Stop(context.Background())
				t.Fatalf("provision succeeded; want it to fail (%s)", c.name)
			}
			t.Logf("provision: %v", err)
			if topo != nil {
				if err := topo.Stop(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				t.Errorf("sandbox folder %s left in %s", e.Name(), dir)
			}
			left(t, dir)
		})
	}
}

// cancelOn is a log that cancels a context the first time a line says
// something.
type cancelOn struct {
	t      *testing.T
	says   string
	nth    int // the nth time it says it (0: the first)
	seen   int
	cancel context.CancelFunc
	done   bool
}

func (c *cancelOn) Write(p []byte) (int, error) {
	line := strings.TrimRight(string(p), "\n")
	c.t.Log(line)
	if c.says != "" && !c.done && strings.Contains(line, c.says) {
		c.seen++
	}
	if c.says != "" && !c.done && strings.Contains(line, c.says) && c.seen >= c.nth {
		c.done = true
		c.t.Logf("(cancelling the context here)")
		c.cancel()
	}
	return len(p), nil
}

// processesUnder lists the processes whose command line names dir.
func processesUnder(dir string) []string {
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range procs {
		b, err := os.ReadFile(f)
		if err == nil && strings.Contains(string(b), dir) {
			out = append(out, filepath.Base(filepath.Dir(f)))
		}
	}
	return out
}

// TestGaleraProvisionLeavesNothing: provisioning a 3-node Galera cluster
// from a filled datadir leaves no server process and no sandbox folder on
// every way out (MariaDB 10.11 with galera-4, local engine): a node that
// cannot start, the context ending while the seed starts, while node-1
// bootstraps, while node-2 joins, and a normal Stop.
func TestGaleraProvisionLeavesNothing(t *testing.T) {
	target := galeraTarget(t)
	engineIn, left := localSandboxes(t, target)
	galeraLeavesNothing(t, target, "starting mariadb", engineIn, left)
}

// TestGaleraProvisionLeavesNothingDocker is TestGaleraProvisionLeavesNothing
// on the docker engine (the rehearse/mariadb:10.11 image, which has
// galera-4; datadirs in host folders mounted into the containers, the
// nodes on Docker's default network): no container of this process and no
// folder left on every way out.
func TestGaleraProvisionLeavesNothingDocker(t *testing.T) {
	target, engineIn, left := dockerSandboxes(t)
	galeraLeavesNothing(t, target, "docker engine: starting", engineIn, left)
}

// galeraLeavesNothing runs the ways out of a Galera Provision on an engine
// whose sandboxes go to a folder of the test's own (engineIn); starting
// says the engine's log line for a server start, left reports what else
// of the engine remains.
func galeraLeavesNothing(t *testing.T, target testserver.Target, starting string, engineIn func(dir string) engine.Engine, left func(t *testing.T, dir string)) {
	src := filled(t, target, 1000)
	data := filepath.Join(t.TempDir(), "data")
	if err := src.KeepDatadir(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		settings map[string]string
		cancel   string // cancel the context the nth time the log says this
		nth      int
		wantOK   bool
	}{
		{name: "a node cannot start", settings: map[string]string{"no_such_server_option": "1"}},
		{name: "cancelled while the seed starts", cancel: starting, nth: 1},
		{name: "cancelled while node-1 bootstraps", cancel: starting, nth: 2},
		{name: "cancelled while node-2 joins", cancel: starting, nth: 3},
		{name: "stopped", wantOK: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, err := os.MkdirTemp("", "gp")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			eng := engineIn(dir)
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			log := &cancelOn{t: t, says: c.cancel, nth: c.nth, cancel: cancel}
			base := target.Options
			base.Flavor, base.Log, base.Settings = src.Flavor, log, c.settings
			plan := replica.Plan{Galera: 3, Mode: replica.Galera}
			topo, err := replica.Provision(ctx, data, replica.StartOptions{Engine: eng, Base: base, Version: src.Version, Plan: plan, Log: log})
			switch {
			case c.wantOK && err != nil:
				t.Fatalf("provision: %v", err)
			case !c.wantOK && err == nil:
				_ = topo.Stop(context.Background())
				t.Fatalf("provision succeeded; want it to fail (%s)", c.name)
			}
			t.Logf("provision: %v", err)
			if topo != nil {
				if len(topo.Nodes()) != 3 {
					t.Errorf("%d nodes, want 3", len(topo.Nodes()))
				}
				if err := topo.Stop(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				t.Errorf("sandbox folder %s left in %s", e.Name(), dir)
			}
			left(t, dir)
		})
	}
}
