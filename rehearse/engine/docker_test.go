package engine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/engine/enginetest"
)

// dockerImages are the images `make images` builds; the docker engine must
// start each of them from flavor and version alone.
var dockerImages = []struct {
	flavor  engine.Flavor
	version string
}{
	{engine.MySQL, "9.7"},
	{engine.MariaDB, "11.8"},
	{engine.MariaDB, "10.11"},
}

// requireImage skips (fails under CI) when the daemon or the image is
// missing.
func requireImage(t *testing.T, ref string) {
	t.Helper()
	info := engine.DockerStatus(context.Background(), "")
	if !info.Reachable {
		testserver.Unavailable(t, "docker", errString(info.Error+"; "+info.Hint))
	}
	imgs, err := engine.LocalImages(context.Background())
	if err != nil {
		testserver.Unavailable(t, "docker", err)
	}
	for _, im := range imgs {
		if im.Ref == ref {
			return
		}
	}
	testserver.Unavailable(t, ref, errString("image not present: run `make images`"))
}

type errString string

func (e errString) Error() string { return string(e) }

// noContainersLeft checks that no container of this process remains.
func noContainersLeft(t *testing.T, s *engine.Server) {
	t.Helper()
	for _, c := range testserver.OwnContainers(t) {
		t.Errorf("container %s left after Stop", c)
	}
}

func TestDockerConformance(t *testing.T) {
	for _, im := range dockerImages {
		ref := "rehearse/" + string(im.flavor) + ":" + im.version
		t.Run(ref, func(t *testing.T) {
			requireImage(t, ref)
			enginetest.Run(t, &engine.Docker{}, engine.Options{Flavor: im.flavor, Version: im.version}, noContainersLeft)
		})
	}
}

// TestDockerCancelDuringStart cancels Start while the container boots:
// Start must return the context's error and leave no container. Two points
// of cancellation, each a condition observed, not a time: while the
// container is being created (the engine's "starting" log line), and once
// the daemon reports the container running, while the server inside boots
// (hundreds of milliseconds here; the poll notices within milliseconds).
func TestDockerCancelDuringStart(t *testing.T) {
	requireImage(t, "rehearse/mariadb:11.8")
	opts := engine.Options{Flavor: engine.MariaDB, Version: "11.8"}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	mine := make(client.Filters).Add("label", engine.LabelOwnerPID+"="+strconv.Itoa(os.Getpid())).Add("status", "running")
	for _, point := range []string{"creating", "booting"} {
		ctx, cancel := context.WithCancel(context.Background())
		o := opts
		fired := make(chan struct{})
		if point == "creating" {
			o.Log = &cancelOn{prefix: "docker engine: starting ", cancel: func() { cancel(); close(fired) }}
		} else {
			go func() {
				for ctx.Err() == nil {
					list, err := cli.ContainerList(ctx, client.ContainerListOptions{Filters: mine})
					if err == nil && len(list.Items) > 0 {
						cancel()
						close(fired)
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()
		}
		s, err := (&engine.Docker{}).Start(ctx, o)
		cancel()
		select {
		case <-fired:
		default:
			if s != nil {
				_ = s.Stop(context.Background())
			}
			t.Fatalf("%s: the cancellation point was never reached; err = %v", point, err)
		}
		if err == nil {
			_ = s.Stop(context.Background())
			t.Fatalf("Start cancelled while %s succeeded", point)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled while %s: %v, want the context's error", point, err)
		}
		t.Logf("cancelled while %s: %v", point, err)
		noContainersLeft(t, nil)
	}
}

// TestDockerCleanStale: a container whose owner process is gone is removed,
// one whose owner lives (this test) is kept.
func TestDockerCleanStale(t *testing.T) {
	requireImage(t, "rehearse/mariadb:11.8")
	ctx := context.Background()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	create := func(pid int) string {
		res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
			Image: "rehearse/mariadb:11.8",
			Config: &container.Config{Cmd: []string{"true"}, Labels: map[string]string{
				engine.LabelOwnerPID:  strconv.Itoa(pid),
				engine.LabelOwnerHost: host,
				engine.LabelCreated:   time.Now().UTC().Format(time.RFC3339),
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = cli.ContainerRemove(context.Background(), res.ID, client.ContainerRemoveOptions{Force: true})
		})
		return res.ID
	}
	// A killed process its parent has not reaped yet (a zombie) is gone too.
	zombie := exec.Command("sleep", "60")
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	_ = zombie.Process.Kill()
	defer zombie.Wait()
	testserver.WaitFor(t, 10*time.Second, "the killed owner to become a zombie", func() bool {
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", zombie.Process.Pid))
		return err == nil && strings.Contains(string(st), ") Z ")
	})
	stale := create(dead.Process.Pid)
	staleZombie := create(zombie.Process.Pid)
	live := create(os.Getpid())

	removed, err := engine.CleanStale(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found, foundZombie := false, false
	for _, r := range removed {
		if strings.HasPrefix(r, stale[:12]) {
			found = true
		}
		if strings.HasPrefix(r, staleZombie[:12]) {
			foundZombie = true
		}
		if strings.HasPrefix(r, live[:12]) {
			t.Errorf("CleanStale removed %s, whose owner (this test) lives", r)
		}
	}
	if !found {
		t.Errorf("CleanStale removed %v, not the stale container %s", removed, stale[:12])
	}
	if !foundZombie {
		t.Errorf("CleanStale removed %v, not the container %s of a killed, unreaped owner", removed, staleZombie[:12])
	}
	if _, err := cli.ContainerInspect(ctx, stale, client.ContainerInspectOptions{}); err == nil {
		t.Errorf("stale container %s still exists", stale[:12])
	}
	if _, err := cli.ContainerInspect(ctx, live, client.ContainerInspectOptions{}); err != nil {
		t.Errorf("live owner's container %s is gone: %v", live[:12], err)
	}
}

// TestDockerMissingImage: an image that is neither present nor pullable is
// ErrUnavailable with a hint naming `make images`, and nothing is left.
func TestDockerMissingImage(t *testing.T) {
	if info := engine.DockerStatus(context.Background(), ""); !info.Reachable {
		testserver.Unavailable(t, "docker", errString(info.Error))
	}
	start := time.Now()
	_, err := (&engine.Docker{}).Start(context.Background(), engine.Options{Image: "rehearse/mysql:0.1-missing"})
	if err == nil {
		t.Fatal("Start with a missing image succeeded")
	}
	if !errors.Is(err, engine.ErrUnavailable) {
		t.Errorf("error does not wrap ErrUnavailable: %v", err)
	}
	if h := rehearse.Hint(err); !strings.Contains(h, "make images") {
		t.Errorf("hint %q does not name `make images`", h)
	}
	t.Logf("after %s: %v (hint: %s)", time.Since(start).Round(time.Millisecond), err, rehearse.Hint(err))
	noContainersLeft(t, nil)
}

// TestDockerUnreachable: a daemon address where none answers is
// ErrUnavailable, fast, with a hint suggesting --engine local.
func TestDockerUnreachable(t *testing.T) {
	info := engine.DockerStatus(context.Background(), "unix:///nonexistent/docker.sock")
	if info.Reachable || info.Error == "" || !strings.Contains(info.Hint, "--engine local") {
		t.Errorf("DockerStatus of a missing socket = %+v", info)
	}
}

// TestDockerStopWithCancelledContext: Stop given an already cancelled
// context (the Ctrl-C path) still removes the container.
func TestDockerStopWithCancelledContext(t *testing.T) {
	requireImage(t, "rehearse/mariadb:10.11")
	s, err := (&engine.Docker{}).Start(context.Background(), engine.Options{Flavor: engine.MariaDB, Version: "10.11"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Stop(ctx); err != nil {
		t.Errorf("Stop with a cancelled context: %v", err)
	}
	noContainersLeft(t, s)
}
