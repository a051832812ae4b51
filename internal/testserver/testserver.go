// Package testserver gives tests real servers started by the project's own
// engines. Tests never mock the database.
//
// Which servers a test run covers is the list Targets returns: every server
// this machine can start (host binaries, image roots built by `make images`,
// and locally built Docker images when REHEARSE_TEST_DOCKER=1). When a target
// that a test needs is missing, the test fails under CI (CI=true) and is
// skipped elsewhere with a message saying how to get it.
package testserver

import (
	"context"
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
// chroot. The root path is set even when missing, so Start reports (skips or,
// under CI, fails) with the hint to run `make images`.
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

// rootExists reports whether `make images` finished the root of t.
func rootExists(t Target) bool {
	_, err := os.Stat(filepath.Join(t.Options.Rootfs, "etc", "rehearse-image"))
	return err == nil
}

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

// dockerTargets lists the docker targets whose image is present.
func dockerTargets() []Target {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := &engine.Docker{Host: os.Getenv("DOCKER_HOST")}
	imgs, err := d.Images(ctx)
	if err != nil {
		return nil
	}
	have := map[string]bool{}
	for _, im := range imgs {
		have[im.Ref] = true
	}
	var out []Target
	for _, t := range []Target{DockerMySQL(), DockerMariaDB118(), DockerMariaDB()} {
		if have[engine.LocalImagePrefix+string(t.Options.Flavor)+":"+t.Options.Version] {
			out = append(out, t)
		}
	}
	return out
}

// Targets lists the servers this machine can start for tests: the host's
// MariaDB, then every image root that exists (MySQL 9.7, MariaDB 11.8)
// through the local engine, then, only when REHEARSE_TEST_DOCKER=1, every
// `make images` image present on the Docker daemon (containers start in
// seconds, not fractions of one: every test over Targets would pay that).
func Targets() []Target {
	out := []Target{LocalMariaDB()}
	for _, t := range []Target{LocalMySQL(), LocalMariaDB118()} {
		if rootExists(t) {
			out = append(out, t)
		}
	}
	if os.Getenv("REHEARSE_TEST_DOCKER") == "1" {
		out = append(out, dockerTargets()...)
	}
	return out
}

// Start starts a server for the test and stops it when the test ends. It
// fails under CI and skips elsewhere when the target cannot start here.
func Start(tb testing.TB, t Target) *engine.Server {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := t.Engine.Start(ctx, t.Options)
	if err != nil {
		Unavailable(tb, t.Name, err)
	}
	tb.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			tb.Errorf("stop %s: %v", t.Name, err)
		}
	})
	return s
}

// Unavailable fails (CI) or skips (elsewhere) a test that needs a server
// this machine cannot start.
func Unavailable(tb testing.TB, name string, err error) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("%s: cannot start: %v (CI must provide it: see .ci/run)", name, err)
	}
	tb.Skipf("%s: cannot start: %v (install the server or run `make images`)", name, err)
}
