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
	Exact     string // the image's exact server version, when known
	Why       string // a short phrase for people
}

// Resolver is an engine that can tell, starting nothing, which server
// binary it would run for a request (the local engine).
type Resolver interface {
	Resolve(ctx context.Context, opts Options) (Binary, error)
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

// Choose returns the engine Start tries first for opts, and what Docker
// could do. It starts nothing.
func (a *Auto) Choose(ctx context.Context, opts Options) (Engine, DockerVerdict) {
	eng, v, _ := a.Decide(ctx, opts)
	return eng, v
}

// Decide is Choose with the reason, for people. With opts.Exact (a
// snapshot's exact version) the engine that has that exact version wins:
// docker when its image has it, else local when the host binary or an
// image root has it; when neither has it, or nothing says, docker when it
// can run the image (same major.minor), else local.
func (a *Auto) Decide(ctx context.Context, opts Options) (Engine, DockerVerdict, string) {
	v := DockerVerdict{Why: "no docker engine"}
	if a.Docker != nil && a.Probe != nil {
		v = a.Probe(ctx, opts)
	}
	if opts.Exact != "" && opts.Image == "" {
		want := strings.TrimSpace(string(opts.Flavor) + " " + opts.Exact)
		var local Binary
		localOK := false
		if r, ok := a.Local.(Resolver); ok {
			if b, err := r.Resolve(ctx, opts); err == nil {
				local, localOK = b, true
			}
		}
		dockerHas := "docker: " + v.Why
		if v.Usable && v.Exact != "" {
			dockerHas = "docker's image has " + v.Exact
		}
		localHas := "local has no server binary for it"
		if localOK {
			localHas = "local has " + local.String()
		}
		switch {
		case v.Usable && v.Exact == opts.Exact:
			return a.Docker, v, fmt.Sprintf("%s, the exact version asked for (%s)", dockerHas, want)
		case localOK && local.Version == opts.Exact:
			return a.Local, v, fmt.Sprintf("%s, the exact version asked for (%s); %s", localHas, want, dockerHas)
		case v.Usable:
			return a.Docker, v, fmt.Sprintf("no engine has %s: %s (%s), %s", want, dockerHas, v.Why, localHas)
		}
		return a.Local, v, fmt.Sprintf("docker: %s; no engine has %s exactly, %s", v.Why, want, localHas)
	}
	if v.Usable {
		return a.Docker, v, v.Why
	}
	return a.Local, v, "docker: " + v.Why
}

// Start starts the server with the chosen engine. When Docker cannot run an
// image the user named, the local engine serves it only if the image names a
// flavor and version (mysql:9.7, rehearse/mariadb:11.8); any other image is
// an error rather than a silently different server.
func (a *Auto) Start(ctx context.Context, opts Options) (*Server, error) {
	eng, v, why := a.Decide(ctx, opts)
	if eng == a.Docker {
		logf(opts.Log, "auto engine: using docker (%s)", why)
		return eng.Start(ctx, opts)
	}
	lopts, docker, err := localOptions(opts, v)
	if err != nil {
		return nil, err
	}
	if docker {
		logf(opts.Log, "auto engine: using docker (%s; it will try to pull %s)", v.Why, opts.Image)
		return a.Docker.Start(ctx, opts)
	}
	logf(opts.Log, "auto engine: using local (%s)", why)
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

// localOptions are opts for the local engine when Docker cannot run them:
// an image that names a flavor and version (mysql:9.7,
// rehearse/mariadb:11.8) becomes them; docker reports an image the local
// engine cannot tell that Docker should still try (it may pull it).
func localOptions(opts Options, v DockerVerdict) (lopts Options, docker bool, err error) {
	lopts = opts
	if opts.Image == "" {
		return lopts, false, nil
	}
	f, ver, ok := FlavorOfImage(opts.Image)
	if !ok && !v.Reachable {
		return lopts, false, rehearse.WithHint(Unavailable("auto engine: cannot run image %q: docker: %s, and the local engine cannot tell which server the image holds", opts.Image, v.Why),
			"make Docker able to run the image (see `rehearse doctor`), or ask for a server by --flavor and --version instead of --image")
	}
	if !ok {
		return lopts, true, nil
	}
	if lopts.Flavor == "" {
		lopts.Flavor = f
	}
	if lopts.Version == "" {
		lopts.Version = ver
	}
	return lopts, false, nil
}

// Build is the build of the engine Start would use for opts (starting
// nothing): docker's image or the local binary, as Start chooses.
func (a *Auto) Build(ctx context.Context, opts Options) (Build, error) {
	eng, v := a.Choose(ctx, opts)
	if eng == a.Docker {
		return BuildOf(ctx, a.Docker, opts)
	}
	lopts, docker, err := localOptions(opts, v)
	if err != nil {
		return Build{}, err
	}
	if docker {
		return BuildOf(ctx, a.Docker, opts)
	}
	b, err := BuildOf(ctx, a.Local, lopts)
	if err != nil && errors.Is(err, ErrUnavailable) && v.Reachable && a.Docker != nil {
		return BuildOf(ctx, a.Docker, opts)
	}
	return b, err
}

var _ DatadirEngine = (*Auto)(nil)

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
