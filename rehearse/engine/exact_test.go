package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
)

// otherPatch is a version of the same major.minor as v with another patch
// number (the image built before the suite's updates, or the host before
// its own).
func otherPatch(v string) string {
	i := strings.LastIndexByte(v, '.')
	n, _ := strconv.Atoi(v[i+1:])
	if n > 0 {
		return fmt.Sprintf("%s.%d", v[:i], n-1)
	}
	return v[:i] + ".1"
}

// TestAutoPrefersExactVersion: production's snapshot names an exact
// version; auto starts the engine that has it. The host's MariaDB is the
// local engine's; the docker image's version is stubbed (an image built
// without the suite's updates has an older patch version than the host).
// A snapshot at the host's version gets local, one at the image's gets
// docker, one at a version nobody has gets the usual choice and says so.
func TestAutoPrefersExactVersion(t *testing.T) {
	requireBinary(t, engine.MariaDB, "10.11")
	ctx := context.Background()
	host, _ := engine.PickBinary(engine.FindBinaries(ctx, "", ""), engine.MariaDB, "10.11")
	image := otherPatch(host.Version)
	tmp := t.TempDir()
	local := &engine.Local{CacheDir: testserver.CacheDir(), TempDir: tmp}
	docker := &recorder{name: "docker", result: errors.New("docker ran")}
	auto := &engine.Auto{Docker: docker, Local: local,
		Probe: verdict(engine.DockerVerdict{Reachable: true, Usable: true, Exact: image, Why: "has rehearse/mariadb:10.11 (mariadb " + image + ")"})}
	req := func(exact string) engine.Options {
		return engine.Options{Flavor: engine.MariaDB, Version: "10.11", Exact: exact}
	}

	eng, _, why := auto.Decide(ctx, req(host.Version))
	if eng != engine.Engine(local) || !strings.Contains(why, "local has mariadb "+host.Version) || !strings.Contains(why, "exact version") {
		t.Errorf("snapshot at the host's %s: chose %s (%s), want local", host.Version, eng.Name(), why)
	}
	var log bytes.Buffer
	o := req(host.Version)
	o.Log = &log
	srv, err := auto.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Engine != "local" || srv.Version != host.Version || !strings.Contains(log.String(), "auto engine: using local (local has mariadb "+host.Version) {
		t.Errorf("started %s %s; log:\n%s", srv.Engine, srv.Version, log.String())
	}
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	assertEmpty(t, tmp)

	if eng, _, why := auto.Decide(ctx, req(image)); eng != engine.Engine(docker) || !strings.Contains(why, "docker's image has "+image) {
		t.Errorf("snapshot at the image's %s: chose %s (%s), want docker", image, eng.Name(), why)
	}
	nobody := host.Version + "9"
	if eng, _, why := auto.Decide(ctx, req(nobody)); eng != engine.Engine(docker) || !strings.Contains(why, "no engine has mariadb "+nobody) {
		t.Errorf("snapshot at %s, which nobody has: chose %s (%s), want docker saying so", nobody, eng.Name(), why)
	}
	noDocker := &engine.Auto{Docker: docker, Local: local, Probe: verdict(engine.DockerVerdict{Why: "no daemon"})}
	if eng, _, why := noDocker.Decide(ctx, req(nobody)); eng != engine.Engine(local) || !strings.Contains(why, "no engine has mariadb "+nobody+" exactly") {
		t.Errorf("no docker, %s nobody has: chose %s (%s)", nobody, eng.Name(), why)
	}
}

// TestLocalPrefersExactVersion: among the host binary and the image roots
// of one major.minor, the local engine runs the one with the exact
// version asked for, and says when none has it.
func TestLocalPrefersExactVersion(t *testing.T) {
	ctx := context.Background()
	local := &engine.Local{CacheDir: testserver.CacheDir(), RootsDir: testserver.RootfsDir()}
	host, hostOK := engine.PickBinary(engine.FindBinaries(ctx, "", ""), "", "")
	roots := engine.ImageRoots(testserver.RootfsDir())
	if len(roots) == 0 {
		testserver.Unavailable(t, "image roots", errors.New("none in "+testserver.RootfsDir()))
	}
	for _, r := range roots {
		rb := engine.FindBinaries(ctx, "", r.Path)
		if len(rb) == 0 {
			t.Errorf("root %s: no server binary", r.Path)
			continue
		}
		want := rb[0]
		got, err := local.Resolve(ctx, engine.Options{Flavor: r.Flavor, Version: r.Version, Exact: want.Version})
		if err != nil {
			t.Errorf("%s %s: %v", r.Flavor, want.Version, err)
			continue
		}
		if got.Version != want.Version {
			t.Errorf("asked for %s %s (root %s has it): resolved %s", r.Flavor, want.Version, r.Path, got)
		}
		if hostOK && host.Flavor == r.Flavor && engine.ShortVersion(host.Version) == r.Version && host.Version != want.Version {
			// Both the host and the root serve this major.minor: each
			// exact version goes to its own.
			if got.Rootfs != r.Path {
				t.Errorf("asked for the root's %s: resolved %s", want.Version, got)
			}
			if h, _ := local.Resolve(ctx, engine.Options{Flavor: r.Flavor, Version: r.Version, Exact: host.Version}); h.Rootfs != "" {
				t.Errorf("asked for the host's %s: resolved %s", host.Version, h)
			}
		}
	}
}

// TestAutoExactDocker: with the real Docker probe, a snapshot at the exact
// version of a `make images` image (its rehearse.server_version label) is
// served by docker, and the container runs that version.
func TestAutoExactDocker(t *testing.T) {
	ctx := context.Background()
	if !engine.DockerStatus(ctx, "").Reachable {
		testserver.Unavailable(t, "docker", errors.New("no Docker daemon answers"))
	}
	imgs, err := engine.LocalImages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var im engine.ImageInfo
	for _, i := range imgs {
		if i.Local && i.Exact != "" && i.Flavor == engine.MariaDB {
			im = i
		}
	}
	if im.Exact == "" {
		testserver.Unavailable(t, "rehearse/mariadb image with its exact version", errors.New("no labelled image: run `make images`"))
	}
	eng, err := engine.New("auto", engine.Config{CacheDir: testserver.CacheDir(), TempDir: t.TempDir(), RootsDir: testserver.RootfsDir()})
	if err != nil {
		t.Fatal(err)
	}
	o := engine.Options{Flavor: im.Flavor, Version: engine.ShortVersion(im.Exact), Exact: im.Exact}
	chosen, _, why := eng.(*engine.Auto).Decide(ctx, o)
	if chosen.Name() != "docker" || !strings.Contains(why, "exact version") {
		t.Fatalf("snapshot at %s's %s: chose %s (%s)", im.Ref, im.Exact, chosen.Name(), why)
	}
	srv, err := eng.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(ctx)
	if srv.Engine != "docker" || srv.Version != im.Exact {
		t.Errorf("started %s %s, want docker %s", srv.Engine, srv.Version, im.Exact)
	}
}
