package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Labels on every container the docker engine creates. They let the engine
// remove what it started even when a start is interrupted, and let
// CleanStale find containers whose owner process is gone.
const (
	LabelOwnerPID   = "rehearse.owner.pid"   // pid of the rehearse process that started it
	LabelOwnerStart = "rehearse.owner.start" // that process's start time (clock ticks since boot), against pid reuse
	LabelOwnerHost  = "rehearse.owner.host"  // host name of that process's machine
	LabelCreated    = "rehearse.created"     // RFC 3339 UTC creation time
	LabelInstance   = "rehearse.instance"    // random id of one Start call
)

// ownerLabels are the labels naming this process as the owner.
func ownerLabels(instance string) map[string]string {
	host, _ := os.Hostname()
	return map[string]string{
		LabelOwnerPID:   strconv.Itoa(os.Getpid()),
		LabelOwnerStart: procStart(os.Getpid()),
		LabelOwnerHost:  host,
		LabelCreated:    time.Now().UTC().Format(time.RFC3339),
		LabelInstance:   instance,
	}
}

// procStart returns a process's start time in clock ticks since boot (field
// 22 of /proc/PID/stat), or "" when unknown.
func procStart(pid int) string {
	_, start := procStat(pid)
	return start
}

// procStat returns a process's state letter (field 3 of /proc/PID/stat: R,
// S, Z, ...) and start time (field 22); "" when unknown.
func procStat(pid int) (state, start string) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", ""
	}
	// The command name (field 2) may hold spaces; fields after it start
	// after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", ""
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return "", ""
	}
	return f[0], f[19]
}

// ownerGone reports whether the owner named by labels is certainly gone: it
// ran on this machine and its pid no longer exists, is a zombie (killed, not
// yet reaped), or belongs to a process started at another time (the pid was
// reused). Containers of other machines and
// without owner labels are never "gone".
func ownerGone(labels map[string]string) bool {
	host, _ := os.Hostname()
	if labels[LabelOwnerHost] != host {
		return false
	}
	pid, err := strconv.Atoi(labels[LabelOwnerPID])
	if err != nil || pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	state, start := procStat(pid)
	if state == "Z" || state == "X" {
		return true // killed, not yet reaped by its parent
	}
	want := labels[LabelOwnerStart]
	return want != "" && start != "" && start != want
}

// CleanStale removes the containers the docker engine started from
// processes that are gone (killed before they could stop them), on the
// Docker daemon found the usual way (DOCKER_HOST, else the default socket).
// It returns the removed containers as "ID (image, created TIME)". Containers
// of live rehearse processes and of other machines are left alone. Used by
// `rehearse doctor --clean`; see (*Docker).CleanStale to name the daemon.
func CleanStale(ctx context.Context) ([]string, error) {
	return (&Docker{}).CleanStale(ctx)
}

// CleanStale is the package-level CleanStale on d's Docker host.
func (d *Docker) CleanStale(ctx context.Context) ([]string, error) {
	return d.stale(ctx, true)
}

// FindStale lists what CleanStale would remove, as "ID (image, created
// TIME)", and changes nothing (`rehearse doctor` lists them).
func (d *Docker) FindStale(ctx context.Context) ([]string, error) {
	return d.stale(ctx, false)
}

func (d *Docker) stale(ctx context.Context, remove bool) ([]string, error) {
	cli, err := newDockerClient(d.Host)
	if err != nil {
		return nil, fmt.Errorf("docker: %w", err)
	}
	defer cli.Close()
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", LabelOwnerPID),
	})
	if err != nil {
		return nil, fmt.Errorf("docker: list containers: %w", err)
	}
	var out []string
	var errs []error
	for _, c := range list.Items {
		if !ownerGone(c.Labels) {
			continue
		}
		if remove {
			// Gone meanwhile (its own --rm, another doctor --clean): removed.
			if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("remove container %s: %w", shortID(c.ID), err))
				continue
			}
		}
		out = append(out, fmt.Sprintf("%s (%s, created %s, owner pid %s gone)", shortID(c.ID), c.Image, c.Labels[LabelCreated], c.Labels[LabelOwnerPID]))
	}
	return out, errors.Join(errs...)
}

// createSettle is how long Start keeps removing the containers of an
// interrupted create: the daemon may finish creating one after the client
// gave up on the request.
var createSettle = 3 * time.Second

// sweepInstance removes the containers of instance now and, for settle,
// every quarter second.
func sweepInstance(ctx context.Context, cli *client.Client, instance string, settle time.Duration) {
	deadline := time.Now().Add(settle)
	for {
		_ = removeInstance(ctx, cli, instance)
		if !time.Now().Before(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// removeInstance removes every container labelled with one Start call's
// instance id: the belt to Terminate's braces, and the only way to find a
// container whose creation was interrupted before its id was known.
func removeInstance(ctx context.Context, cli *client.Client, instance string) error {
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", LabelInstance+"="+instance),
	})
	if err != nil {
		return fmt.Errorf("docker: list containers: %w", err)
	}
	var errs []error
	for _, c := range list.Items {
		if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
			errs = append(errs, fmt.Errorf("docker: remove container %s: %w", shortID(c.ID), err))
		}
	}
	return errors.Join(errs...)
}
