// Package testserver gives tests real servers started by the project's own
// engines. Tests never mock the database.
//
// Which servers a test run covers is the list Targets returns: every server
// this machine can start (host binaries, image roots built by `make images`,
// and locally built Docker images when REHEARSE_TEST_DOCKER=1). When a target
// that a test needs is missing, the test fails under the test policy
// (REHEARSE_REQUIRE=all, set by scripts/test.sh; see policy.go and
// docs/testing.md) and is skipped elsewhere, with a message saying how to
// get it.
package testserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse/engine"
)

// Target is one server kind a test can run against.
type Target struct {
	Name    string // e.g. "local-mariadb-10.11"
	Engine  engine.Engine
	Options engine.Options
}

var (
	cacheOnce sync.Once
	cacheDir  string
)

// CacheDir is the template cache shared by test runs (so a datadir is
// initialised once per version, not once per test).
func CacheDir() string {
	cacheOnce.Do(func() {
		if d := os.Getenv("REHEARSE_CACHE_DIR"); d != "" {
			cacheDir = d
			return
		}
		d, err := os.UserCacheDir()
		if err != nil {
			d = os.TempDir()
		}
		cacheDir = d + "/rehearse"
	})
	return cacheDir
}

// LocalMariaDB is the host's MariaDB through the local engine.
func LocalMariaDB() Target {
	return Target{
		Name:    "local-mariadb",
		Engine:  &engine.Local{CacheDir: CacheDir()},
		Options: engine.Options{Flavor: engine.MariaDB},
	}
}

// RootfsDir is where `make images` keeps the image roots
// (<flavor>-<major.minor>): REHEARSE_ROOTFS_DIR, default
// /var/lib/rehearse/rootfs (the default of scripts/images.sh).
func RootfsDir() string {
	if d := os.Getenv("REHEARSE_ROOTFS_DIR"); d != "" {
		return d
	}
	return "/var/lib/rehearse/rootfs"
}

// rootTarget is the server of an image root run by the local engine through
// chroot. The root path is set even when missing, so Start reports it
// (Missing: fails under the policy, else skips) with the hint to run `make
// images`.
func rootTarget(flavor engine.Flavor, version string) Target {
	name := fmt.Sprintf("%s-%s", flavor, version)
	return Target{
		Name:    "local-" + name,
		Engine:  &engine.Local{CacheDir: CacheDir()},
		Options: engine.Options{Flavor: flavor, Version: version, Rootfs: filepath.Join(RootfsDir(), name)},
	}
}

// LocalMySQL is MySQL 9.7 (Debian sid's mysql-server) from the mysql-9.7
// image root, through the local engine and chroot. Needs `make images`.
func LocalMySQL() Target { return rootTarget(engine.MySQL, "9.7") }

// LocalMariaDB118 is MariaDB 11.8 (Debian trixie) from the mariadb-11.8
// image root, through the local engine and chroot. Needs `make images`.
func LocalMariaDB118() Target { return rootTarget(engine.MariaDB, "11.8") }

// rootMarker is the file `make images` writes last in a root it finished.
func rootMarker(t Target) string { return filepath.Join(t.Options.Rootfs, "etc", "rehearse-image") }

// dockerTarget is a container of a `make images` image through the docker
// engine (on the daemon DOCKER_HOST names, else the default socket).
func dockerTarget(flavor engine.Flavor, version string) Target {
	return Target{
		Name:    fmt.Sprintf("docker-%s-%s", flavor, version),
		Engine:  &engine.Docker{Host: os.Getenv("DOCKER_HOST")},
		Options: engine.Options{Flavor: flavor, Version: version},
	}
}

// DockerMySQL is rehearse/mysql:9.7 through the docker engine.
func DockerMySQL() Target { return dockerTarget(engine.MySQL, "9.7") }

// DockerMariaDB118 is rehearse/mariadb:11.8 through the docker engine.
func DockerMariaDB118() Target { return dockerTarget(engine.MariaDB, "11.8") }

// DockerMariaDB is rehearse/mariadb:10.11 through the docker engine.
func DockerMariaDB() Target { return dockerTarget(engine.MariaDB, "10.11") }

// dockerImage is the `make images` image a docker target runs.
func dockerImage(t Target) string {
	return engine.LocalImagePrefix + string(t.Options.Flavor) + ":" + t.Options.Version
}

// Targets lists the servers a multi-server test covers: the host's MariaDB
// 10.11, MySQL 9.7 and MariaDB 11.8 from their image roots through the local
// engine, then, only when REHEARSE_TEST_DOCKER=1, the three `make images`
// images through the docker engine (containers start in seconds, not
// fractions of one: every test over Targets would pay that). The list does
// not depend on what this machine has: a target it lacks is reported by
// Start (fails under the policy, else skips), never left out in silence.
func Targets() []Target {
	out := []Target{LocalMariaDB(), LocalMySQL(), LocalMariaDB118()}
	if os.Getenv("REHEARSE_TEST_DOCKER") == "1" {
		out = append(out, DockerMySQL(), DockerMariaDB118(), DockerMariaDB())
	}
	return out
}

// Available reports whether this machine has what target t needs: the
// image root of a local target with Rootfs, the image of a docker target.
// Only the host's server is assumed (a failed start reports it). For tests
// that must choose before starting; most tests just call Start.
func Available(t Target) error {
	switch e := t.Engine.(type) {
	case *engine.Local:
		if t.Options.Rootfs == "" {
			return nil
		}
		if _, err := os.Stat(rootMarker(t)); err != nil {
			return fmt.Errorf("image root %s not built (run `make images`)", t.Options.Rootfs)
		}
	case *engine.Docker:
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		imgs, err := e.Images(ctx)
		if err != nil {
			return fmt.Errorf("no Docker daemon: %v (install docker.io and start it)", err)
		}
		for _, im := range imgs {
			if im.Ref == dockerImage(t) {
				return nil
			}
		}
		return fmt.Errorf("image %s absent (run `make images`)", dockerImage(t))
	}
	return nil
}

// Need ends the test through Missing when this machine lacks what target t
// needs (Available). For tests that hand t's engine to the code under test
// (run.Run, plan.Build) instead of calling Start; it logs the target for the
// run's summary (ServerPrefix).
func Need(tb testing.TB, t Target) {
	tb.Helper()
	need(tb, t)
	tb.Logf("%s%s (available)", ServerPrefix, t.Name)
}

func need(tb testing.TB, t Target) {
	tb.Helper()
	if err := Available(t); err != nil {
		Missing(tb, t.Name+": "+err.Error(), "scripts/setup.sh installs the packages and runs `make images`")
	}
}

// Start starts a server for the test and stops it when the test ends. A
// target this machine lacks (no image root, image or binary: Available, or
// engine.ErrUnavailable) ends the test through Missing (fails under the
// policy, else skips); any other start error fails the test. It logs
// "testserver: started NAME VERSION" for the run's summary.
func Start(tb testing.TB, t Target) *engine.Server {
	tb.Helper()
	need(tb, t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := t.Engine.Start(ctx, t.Options)
	if err != nil {
		StartFailed(tb, t.Name, err)
	}
	tb.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			tb.Errorf("stop %s: %v", t.Name, err)
		}
	})
	Started(tb, t.Name, s)
	return s
}

// StartFailed ends a test whose server did not start: through Missing
// when the engine lacks something (engine.ErrUnavailable: no binary, root
// or image), else as a failure in every mode — the engine had what it
// needed and still failed.
func StartFailed(tb testing.TB, name string, err error) {
	tb.Helper()
	if errors.Is(err, engine.ErrUnavailable) {
		Unavailable(tb, name, err)
	}
	tb.Fatalf("start %s: %v", name, err)
}

// Started logs that the test uses server s of target name, for the run's
// summary (ServerPrefix). Start calls it; helpers that start servers
// their own way call it too.
func Started(tb testing.TB, name string, s *engine.Server) {
	tb.Helper()
	tb.Logf("%s%s %s %s (started)", ServerPrefix, name, s.Flavor, s.Version)
}

// ServerPrefix begins the log line Start, Started and Need write for every
// server a test uses ("testserver: server NAME [FLAVOR VERSION] (started)"
// or "... NAME (available)"); the summary of scripts/test.sh counts them per
// server and package.
const ServerPrefix = "testserver: server "

// Unavailable ends, through Missing, a test that needs a server this
// machine cannot start.
func Unavailable(tb testing.TB, name string, err error) {
	tb.Helper()
	Missing(tb, name+": cannot start: "+err.Error(), "install the server (scripts/setup.sh) or run `make images`")
}
