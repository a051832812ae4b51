package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
)

// DockerVerdict is what a DockerProbe found out.
type DockerVerdict struct {
	Reachable bool   // a Docker daemon answers
	Usable    bool   // ... and the image for the request is present
	Why       string // a short phrase for people
}

// DockerProbe tells whether the docker engine can run what opts ask for on
// this machine without a pull, and why or why not. It starts nothing.
type DockerProbe func(ctx context.Context, opts Options) DockerVerdict

// Auto starts servers with Docker when Probe says Docker can run the image,
// and with Local otherwise; when Local has no binary for the request but a
// Docker daemon answers, it tries Docker after all (which pulls the image
// where a registry is reachable). It writes its choice and the reason to
// Options.Log.
type Auto struct {
	Docker Engine
	Local  Engine
	Probe  DockerProbe
}

var _ Engine = (*Auto)(nil)

func (a *Auto) Name() string { return "auto" }

// Choose returns the engine Start tries first for opts, and why. It starts
// nothing.
func (a *Auto) Choose(ctx context.Context, opts Options) (Engine, DockerVerdict) {
	v := DockerVerdict{Why: "no docker engine"}
	if a.Docker != nil && a.Probe != nil {
		v = a.Probe(ctx, opts)
	}
	if v.Usable {
		return a.Docker, v
	}
	return a.Local, v
}

// Start starts the server with the chosen engine. When Docker cannot run an
// image the user named, the local engine serves it only if the image names a
// flavor and version (mysql:9.7, rehearse/mariadb:11.8); any other image is
// an error rather than a silently different server.
func (a *Auto) Start(ctx context.Context, opts Options) (*Server, error) {
	eng, v := a.Choose(ctx, opts)
	if eng == a.Docker {
		logf(opts.Log, "auto engine: using docker (%s)", v.Why)
		return eng.Start(ctx, opts)
	}
	lopts := opts
	if opts.Image != "" {
		f, ver, ok := FlavorOfImage(opts.Image)
		if !ok && !v.Reachable {
			return nil, rehearse.WithHint(Unavailable("auto engine: cannot run image %q: docker: %s, and the local engine cannot tell which server the image holds", opts.Image, v.Why),
				"make Docker able to run the image (see `rehearse doctor`), or ask for a server by --flavor and --version instead of --image")
		}
		if !ok {
			logf(opts.Log, "auto engine: using docker (%s; it will try to pull %s)", v.Why, opts.Image)
			return a.Docker.Start(ctx, opts)
		}
		if lopts.Flavor == "" {
			lopts.Flavor = f
		}
		if lopts.Version == "" {
			lopts.Version = ver
		}
	}
	logf(opts.Log, "auto engine: using local (docker: %s)", v.Why)
	s, err := eng.Start(ctx, lopts)
	if err == nil || !errors.Is(err, ErrUnavailable) {
		return s, err
	}
	if v.Reachable && a.Docker != nil {
		logf(opts.Log, "auto engine: %v; trying docker, which pulls the image if a registry answers", err)
		s, derr := a.Docker.Start(ctx, opts)
		if derr == nil || !errors.Is(derr, ErrUnavailable) {
			return s, derr
		}
		return nil, rehearse.WithHint(fmt.Errorf("auto engine: no engine can start this server here: %w; and %v", err, derr),
			"%s; see `rehearse doctor` for what this machine has", rehearse.Hint(err))
	}
	return nil, rehearse.WithHint(fmt.Errorf("auto engine: no engine can start this server here: docker: %s; %w", v.Why, err),
		"%s; see `rehearse doctor` for what this machine has", rehearse.Hint(err))
}

// FlavorOfImage reads flavor and version from an image reference whose
// repository name is mysql or mariadb ("mysql:9.7", "rehearse/mariadb:11.8",
// "docker.io/library/mariadb:10.11.9"). A missing tag or "latest" gives an
// empty version.
func FlavorOfImage(image string) (Flavor, string, bool) {
	ref := image
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	name, tag := ref, ""
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		name, tag = ref[:i], ref[i+1:]
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	f, err := ParseFlavor(name)
	if err != nil || f == "" {
		return "", "", false
	}
	if tag == "latest" {
		tag = ""
	}
	// "9.7-oracle", "10.11-jammy": keep the version part.
	if i := strings.IndexByte(tag, '-'); i >= 0 {
		tag = tag[:i]
	}
	return f, tag, true
}
