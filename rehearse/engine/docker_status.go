package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/client"
	"github.com/rehearse/rehearse/rehearse"
)

// DockerInfo says whether a Docker daemon answers, and which.
type DockerInfo struct {
	Reachable     bool   `json:"reachable"`
	Host          string `json:"host"`                     // the address asked, e.g. unix:///var/run/docker.sock
	ServerVersion string `json:"server_version,omitempty"` // e.g. "20.10.24+dfsg1"
	APIVersion    string `json:"api_version,omitempty"`    // the API version negotiated with it, e.g. "1.41"
	Error         string `json:"error,omitempty"`          // why it does not answer
	Hint          string `json:"hint,omitempty"`           // what to do about it
}

// DockerStatus asks the Docker daemon at host ("" = found the usual way:
// DOCKER_HOST, else the default socket) for its version, within 5 seconds.
// It never fails: an unreachable daemon is reported in the result with a
// hint. Used by `rehearse doctor` and the auto engine.
func DockerStatus(ctx context.Context, host string) DockerInfo {
	cli, err := newDockerClient(host)
	if err != nil {
		return DockerInfo{Host: host, Error: err.Error(), Hint: dockerHint}
	}
	defer cli.Close()
	info := DockerInfo{Host: cli.DaemonHost()}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		info.Error = err.Error()
		info.Hint = dockerHint
		return info
	}
	info.Reachable = true
	info.ServerVersion = v.Version
	info.APIVersion = cli.ClientVersion()
	return info
}

const dockerHint = "start the Docker daemon (systemctl start docker) or point DOCKER_HOST at one (unix:///path/docker.sock, tcp://host:2376); or use --engine local"

// dockerUnavailable is the error of an engine that cannot reach its daemon.
func dockerUnavailable(info DockerInfo) error {
	return rehearse.WithHint(fmt.Errorf("%w: docker engine: no Docker daemon answers at %s: %s", ErrUnavailable, info.Host, info.Error), "%s", info.Hint)
}
