package engine_test

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/moby/moby/client"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
)

// TestDockerHostHonoured starts a container through Docker{Host: tcp://...}
// where that address is a proxy (this test) to the daemon's unix socket:
// the engine must reach the daemon through the proxy only. It runs in a
// child process because testcontainers fixes the Docker host once per
// process.
func TestDockerHostHonoured(t *testing.T) {
	if host := os.Getenv("REHEARSE_TEST_CHILD_DOCKER_HOST"); host != "" {
		childStartThrough(t, host)
		return
	}
	requireImage(t, "rehearse/mariadb:10.11")
	const sock = "/var/run/docker.sock"
	if _, err := os.Stat(sock); err != nil {
		testserver.Missing(t, "no Docker socket at "+sock+" to proxy to", "run the Docker daemon on its default socket")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				u, err := net.Dial("unix", sock)
				if err != nil {
					return
				}
				defer u.Close()
				done := make(chan struct{}, 2)
				go func() { _, _ = io.Copy(u, c); done <- struct{}{} }()
				go func() { _, _ = io.Copy(c, u); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	defer func() { l.Close(); wg.Wait() }()

	cmd := exec.Command(os.Args[0], "-test.run=^TestDockerHostHonoured$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "REHEARSE_TEST_CHILD_DOCKER_HOST=tcp://"+l.Addr().String(), "DOCKER_HOST=unix:///nonexistent/docker.sock")
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child failed: %v", err)
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", engine.LabelOwnerPID+"="+strconv.Itoa(cmd.Process.Pid)),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Items {
		t.Errorf("the child's container %s is left", c.ID[:12])
	}
	if conns.Load() == 0 {
		t.Errorf("no connection went through the proxy at %s", l.Addr())
	}
}

// childStartThrough runs in the child: DOCKER_HOST points nowhere, only
// Docker.Host leads to the daemon.
func childStartThrough(t *testing.T, host string) {
	ctx := context.Background()
	d := &engine.Docker{Host: host}
	if info := engine.DockerStatus(ctx, host); !info.Reachable || info.Host != host {
		t.Fatalf("DockerStatus(%s) = %+v", host, info)
	}
	s, err := d.Start(ctx, engine.Options{Flavor: engine.MariaDB, Version: "10.11"})
	if err != nil {
		t.Fatal(err)
	}
	db, err := s.Open("")
	if err != nil {
		t.Fatal(err)
	}
	var one int
	err = db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
	db.Close()
	if err != nil {
		t.Error(err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Error(err)
	}
	if _, err := (&engine.Docker{Host: "unix:///elsewhere.sock"}).Start(ctx, engine.Options{}); err == nil || !strings.Contains(err.Error(), "cannot switch") {
		t.Errorf("a second Docker host in one process: err = %v, want the cannot-switch error", err)
	}
}
