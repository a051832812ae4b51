package engine_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/engine/enginetest"
)

// recorder is an engine that records that it was asked and fails as told:
// it stands in for Docker where the test is about auto's routing.
type recorder struct {
	name   string
	calls  []engine.Options
	result error
}

func (r *recorder) Name() string { return r.name }
func (r *recorder) Start(ctx context.Context, opts engine.Options) (*engine.Server, error) {
	r.calls = append(r.calls, opts)
	return nil, r.result
}

func verdict(v engine.DockerVerdict) engine.DockerProbe {
	return func(context.Context, engine.Options) engine.DockerVerdict { return v }
}

// TestAutoConformanceLocalFallback: with no Docker daemon, auto is the local
// engine, says so, and passes the suite.
func TestAutoConformanceLocalFallback(t *testing.T) {
	requireBinary(t, engine.MariaDB, "10.11")
	tmp := t.TempDir()
	eng, err := engine.New("auto", engine.Config{CacheDir: testserver.CacheDir(), TempDir: tmp, DockerHost: "unix:///nonexistent/docker.sock"})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	enginetest.Run(t, eng, engine.Options{Flavor: engine.MariaDB, Log: &log})
	if !strings.Contains(log.String(), "auto engine: using local (docker: no Docker daemon answers at unix:///nonexistent/docker.sock") {
		t.Errorf("auto did not say what it chose and why:\n%s", log.String())
	}
	assertEmpty(t, tmp)
}

func TestAutoRouting(t *testing.T) {
	unavailable := engine.Unavailable("docker engine: image cannot be pulled")
	t.Run("docker usable", func(t *testing.T) {
		d := &recorder{name: "docker", result: errors.New("docker ran")}
		l := &recorder{name: "local"}
		var log bytes.Buffer
		_, err := (&engine.Auto{Docker: d, Local: l, Probe: verdict(engine.DockerVerdict{Reachable: true, Usable: true, Why: "has rehearse/mysql:9.7"})}).
			Start(context.Background(), engine.Options{Log: &log})
		if len(d.calls) != 1 || len(l.calls) != 0 || err == nil || err.Error() != "docker ran" {
			t.Errorf("docker calls %d, local calls %d, err %v", len(d.calls), len(l.calls), err)
		}
		if !strings.Contains(log.String(), "using docker (has rehearse/mysql:9.7)") {
			t.Errorf("log: %s", log.String())
		}
	})
	t.Run("no local binary, daemon up: docker tries a pull", func(t *testing.T) {
		d := &recorder{name: "docker", result: unavailable}
		_, err := (&engine.Auto{Docker: d, Local: &engine.Local{RootsDir: t.TempDir()}, Probe: verdict(engine.DockerVerdict{Reachable: true, Why: "no image"})}).
			Start(context.Background(), engine.Options{Flavor: engine.MySQL, Version: "5.7"})
		if len(d.calls) != 1 {
			t.Errorf("docker was not tried after local had no binary")
		}
		if !errors.Is(err, engine.ErrUnavailable) || !strings.Contains(err.Error(), "mysql 5.7") || !strings.Contains(err.Error(), "cannot be pulled") {
			t.Errorf("err = %v: want both reasons", err)
		}
		if !strings.Contains(rehearse.Hint(err), "rehearse doctor") {
			t.Errorf("hint = %q", rehearse.Hint(err))
		}
	})
	t.Run("image of a known flavor falls back to local", func(t *testing.T) {
		l := &recorder{name: "local", result: errors.New("local ran")}
		_, err := (&engine.Auto{Docker: &recorder{name: "docker"}, Local: l, Probe: verdict(engine.DockerVerdict{Why: "no daemon"})}).
			Start(context.Background(), engine.Options{Image: "rehearse/mariadb:11.8"})
		if len(l.calls) != 1 || l.calls[0].Flavor != engine.MariaDB || l.calls[0].Version != "11.8" || err.Error() != "local ran" {
			t.Errorf("local calls %+v, err %v", l.calls, err)
		}
	})
	t.Run("unknown image without docker is an error", func(t *testing.T) {
		l := &recorder{name: "local"}
		_, err := (&engine.Auto{Docker: &recorder{name: "docker"}, Local: l, Probe: verdict(engine.DockerVerdict{Why: "no daemon"})}).
			Start(context.Background(), engine.Options{Image: "example/postgres:16"})
		if len(l.calls) != 0 || err == nil || !strings.Contains(err.Error(), "example/postgres:16") {
			t.Errorf("local calls %d, err %v", len(l.calls), err)
		}
	})
}

func TestFlavorOfImage(t *testing.T) {
	for _, c := range []struct {
		ref     string
		flavor  engine.Flavor
		version string
		ok      bool
	}{
		{"mysql:9.7", engine.MySQL, "9.7", true},
		{"rehearse/mariadb:11.8", engine.MariaDB, "11.8", true},
		{"docker.io/library/mariadb:10.11.9-jammy", engine.MariaDB, "10.11.9", true},
		{"localhost:5000/mysql", engine.MySQL, "", true},
		{"mysql:latest", engine.MySQL, "", true},
		{"mysql@sha256:abcd", engine.MySQL, "", true},
		{"percona/percona-server:8.0", "", "", false},
		{"postgres:16", "", "", false},
	} {
		f, v, ok := engine.FlavorOfImage(c.ref)
		if f != c.flavor || v != c.version || ok != c.ok {
			t.Errorf("FlavorOfImage(%q) = %q, %q, %v; want %q, %q, %v", c.ref, f, v, ok, c.flavor, c.version, c.ok)
		}
	}
}

func TestNew(t *testing.T) {
	for _, n := range []string{"auto", "docker", "local", "dsn", " Local "} {
		e, err := engine.New(n, engine.Config{})
		if err != nil || e.Name() != strings.ToLower(strings.TrimSpace(n)) {
			t.Errorf("New(%q) = %v, %v", n, e, err)
		}
	}
	_, err := engine.New("podman", engine.Config{})
	if err == nil || !strings.Contains(err.Error(), `"podman"`) || !strings.Contains(rehearse.Hint(err), "auto|docker|dsn|local") {
		t.Errorf("New(podman) = %v (hint %q)", err, rehearse.Hint(err))
	}
}
