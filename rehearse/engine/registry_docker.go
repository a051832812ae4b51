package engine

import (
	"context"
	"fmt"
	"strings"
)

// newDocker is the registry's docker engine on cfg's Docker host.
func newDocker(c Config) (Engine, error) {
	return &Docker{Host: c.DockerHost, CacheDir: c.CacheDir, TempDir: c.TempDir}, nil
}

// dockerProbe is the auto engine's question to Docker: does a daemon answer
// at cfg's host, and is the image the docker engine would run for the
// request already there? (Whether it could be pulled is left to a start:
// asking a registry here would cost the time a local start takes.)
func dockerProbe(c Config) DockerProbe {
	return func(ctx context.Context, opts Options) DockerVerdict {
		info := DockerStatus(ctx, c.DockerHost)
		if !info.Reachable {
			return DockerVerdict{Why: fmt.Sprintf("no Docker daemon answers at %s", info.Host)}
		}
		imgs, err := (&Docker{Host: c.DockerHost}).Images(ctx)
		if err != nil {
			return DockerVerdict{Reachable: true, Why: fmt.Sprintf("cannot list images at %s: %v", info.Host, err)}
		}
		if im, ok := imageFor(imgs, opts); ok {
			has := im.Ref
			if im.Exact != "" {
				has += " (" + string(im.Flavor) + " " + im.Exact + ")"
			}
			return DockerVerdict{Reachable: true, Usable: true, Exact: im.Exact, Why: fmt.Sprintf("the daemon at %s answers and has %s", info.Host, has)}
		}
		return DockerVerdict{Reachable: true, Why: fmt.Sprintf("the daemon at %s answers but has no image for %s", info.Host, describeOptions(opts))}
	}
}

// imageFor finds among imgs the image the docker engine would run for opts:
// the named image; else one of the flavor (the docker engine's guess when
// none is given) with opts.Exact; else one of the flavor and version, a
// locally built one when no version is given.
func imageFor(imgs []ImageInfo, opts Options) (ImageInfo, bool) {
	if opts.Image != "" {
		want := opts.Image
		if !strings.Contains(want[strings.LastIndexByte(want, '/')+1:], ":") {
			want += ":latest"
		}
		for _, im := range imgs {
			if im.Ref == opts.Image || im.Ref == want || "docker.io/library/"+im.Ref == want {
				return im, true
			}
		}
		return ImageInfo{}, false
	}
	f := opts.Flavor
	if f == "" {
		f = guessFlavor(opts.Version)
	}
	if opts.Exact != "" {
		if im, ok := exactImage(imgs, f, opts.Exact); ok {
			return im, true
		}
	}
	for _, im := range imgs {
		if im.Flavor != f {
			continue
		}
		if opts.Version == "" && im.Local || opts.Version != "" && (versionMatches(im.Version, opts.Version) || versionMatches(opts.Version, im.Version)) {
			return im, true
		}
	}
	return ImageInfo{}, false
}

func describeOptions(opts Options) string {
	switch {
	case opts.Image != "":
		return opts.Image
	case opts.Flavor != "" && opts.Version != "":
		return string(opts.Flavor) + " " + opts.Version
	case opts.Flavor != "":
		return string(opts.Flavor)
	case opts.Version != "":
		return "version " + opts.Version
	}
	return "the default server"
}
