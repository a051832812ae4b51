package engine

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/client"
	"github.com/rehearse/rehearse/rehearse"
)

// LocalImagePrefix names the images `make images` builds:
// rehearse/<flavor>:<major.minor>.
const LocalImagePrefix = "rehearse/"

// ImageInfo is a server image present on the Docker daemon.
type ImageInfo struct {
	Ref     string `json:"ref"`     // repository:tag, e.g. "rehearse/mysql:9.7"
	Flavor  Flavor `json:"flavor"`  // from the repository name
	Version string `json:"version"` // the tag
	Local   bool   `json:"local"`   // built by `make images` (rehearse/*), not pulled
	// Exact is the server's exact version when known: the label
	// rehearse.server_version `make images` sets, else a tag that is one
	// ("mariadb:10.11.9").
	Exact   string    `json:"exact,omitempty"`
	Size    int64     `json:"size"` // bytes
	Created time.Time `json:"created"`
}

// LocalImages lists the server images present on the Docker daemon found
// the usual way (DOCKER_HOST, else the default socket): rehearse/mysql,
// rehearse/mariadb, and the official mysql and mariadb images, sorted by
// reference. Used by `rehearse doctor`; see (*Docker).Images to name the
// daemon.
func LocalImages(ctx context.Context) ([]ImageInfo, error) {
	return (&Docker{}).Images(ctx)
}

// Images is LocalImages on d's Docker host.
func (d *Docker) Images(ctx context.Context) ([]ImageInfo, error) {
	cli, err := newDockerClient(d.Host)
	if err != nil {
		return nil, fmt.Errorf("docker: %w", err)
	}
	defer cli.Close()
	return listServerImages(ctx, cli)
}

func listServerImages(ctx context.Context, cli *client.Client) ([]ImageInfo, error) {
	res, err := cli.ImageList(ctx, client.ImageListOptions{})
	if err != nil {
		return nil, fmt.Errorf("docker: list images: %w", err)
	}
	var out []ImageInfo
	for _, im := range res.Items {
		for _, ref := range im.RepoTags {
			repo, tag, ok := strings.Cut(ref, ":")
			if !ok {
				continue
			}
			name := strings.TrimPrefix(strings.TrimPrefix(repo, "docker.io/"), "library/")
			local := strings.HasPrefix(name, LocalImagePrefix)
			f, err := ParseFlavor(strings.TrimPrefix(name, LocalImagePrefix))
			if err != nil || f == "" {
				continue
			}
			out = append(out, ImageInfo{Ref: ref, Flavor: f, Version: tag, Local: local, Size: im.Size, Created: time.Unix(im.Created, 0).UTC(),
				Exact: exactOfImage(tag, im.Labels)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref < out[j].Ref })
	return out, nil
}

// exactOfImage is an image's exact server version: its
// rehearse.server_version label, else its tag when that is one ("10.11.9",
// "10.11.9-jammy"), else "".
func exactOfImage(tag string, labels map[string]string) string {
	if v := labels["rehearse.server_version"]; v != "" {
		return v
	}
	if i := strings.IndexByte(tag, '-'); i >= 0 {
		tag = tag[:i]
	}
	if strings.Count(tag, ".") == 2 {
		return tag
	}
	return ""
}

// guessFlavor tells the flavor of a requested version: MariaDB numbers its
// releases from 10 on, MySQL's are 5.x, 8.x and 9.x.
func guessFlavor(version string) Flavor {
	major, err := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	if err == nil && major >= 10 {
		return MariaDB
	}
	return MySQL
}

// flavorOfImage guesses the flavor of an image reference from its name.
func flavorOfImage(ref string, fallback Flavor) Flavor {
	name, _, _ := strings.Cut(ref, ":")
	switch {
	case strings.Contains(name, "mariadb"):
		return MariaDB
	case strings.Contains(name, "mysql"), strings.Contains(name, "percona"):
		return MySQL
	case fallback != "":
		return fallback
	}
	return MySQL
}

// exactImage is an image of flavor f whose server is exactly version exact.
func exactImage(imgs []ImageInfo, f Flavor, exact string) (ImageInfo, bool) {
	for _, im := range imgs {
		if im.Flavor == f && im.Exact == exact {
			return im, true
		}
	}
	return ImageInfo{}, false
}

// chooseImage picks the image for opts: opts.Image when given; else one
// present with opts.Exact, the exact version; else the
// locally built rehearse/<flavor>:<major.minor> when present; else the
// official <flavor>:<version>. An image that is not present is pulled once;
// when that fails (no registry reachable) the error wraps ErrUnavailable and
// says to run `make images`.
func chooseImage(ctx context.Context, cli *client.Client, opts Options, log func(string, ...any)) (string, Flavor, error) {
	if opts.Image != "" {
		f := flavorOfImage(opts.Image, opts.Flavor)
		if inspect, err := cli.ImageInspect(ctx, opts.Image); err == nil && inspect.Config != nil {
			if lf, err := ParseFlavor(inspect.Config.Labels["rehearse.flavor"]); err == nil && lf != "" {
				f = lf
			}
			return opts.Image, f, nil
		}
		return opts.Image, f, pullImage(ctx, cli, opts.Image, log)
	}
	f := opts.Flavor
	if f == "" {
		f = guessFlavor(opts.Version)
	}
	short := ShortVersion(opts.Version)
	var imgs []ImageInfo
	if opts.Exact != "" {
		// The snapshot's exact version when an image has it (a pulled
		// mariadb:10.11.19 beside rehearse/mariadb:10.11 of 10.11.18).
		imgs, _ = listServerImages(ctx, cli)
		if im, ok := exactImage(imgs, f, opts.Exact); ok {
			return im.Ref, f, nil
		}
	}
	if short == "" {
		// No version asked: the newest locally built image of the flavor.
		if imgs, err := listServerImages(ctx, cli); err == nil {
			for _, im := range imgs {
				if im.Local && im.Flavor == f && (short == "" || versionLess(short, im.Version)) {
					short = im.Version
				}
			}
		}
		if short != "" {
			return LocalImagePrefix + string(f) + ":" + short, f, nil
		}
	}
	if short != "" {
		local := LocalImagePrefix + string(f) + ":" + short
		if inspect, err := cli.ImageInspect(ctx, local); err == nil {
			if opts.Version != short {
				log("docker engine: using %s (Debian's %s %s) for the requested %s", local, f, short, opts.Version)
			}
			if inspect.Config != nil && opts.Exact != "" {
				if exact := exactOfImage("", inspect.Config.Labels); exact != opts.Exact {
					if exact == "" {
						exact = "an unrecorded patch version (built before `make images` labelled it: rerun it)"
					}
					log("docker engine: no image of %s %s: %s has %s, another patch version", f, opts.Exact, local, exact)
				}
			}
			return local, f, nil
		}
	}
	tag := opts.Version
	if tag == "" {
		tag = "latest"
	}
	official := string(f) + ":" + tag
	if _, err := cli.ImageInspect(ctx, official); err == nil {
		return official, f, nil
	}
	return official, f, pullImage(ctx, cli, official, log)
}

// versionLess compares major.minor versions numerically.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

// PullTimeout bounds one image pull.
var PullTimeout = 10 * time.Minute

// pullImage pulls ref once (testcontainers would retry for minutes where no
// registry answers).
func pullImage(ctx context.Context, cli *client.Client, ref string, log func(string, ...any)) error {
	log("docker engine: image %s is not present; pulling it", ref)
	pctx, cancel := context.WithTimeout(ctx, PullTimeout)
	defer cancel()
	resp, err := cli.ImagePull(pctx, ref, client.ImagePullOptions{})
	if err == nil {
		err = resp.Wait(pctx)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return rehearse.WithHint(fmt.Errorf("%w: docker engine: image %s is not present and cannot be pulled: %v", ErrUnavailable, ref, err),
			"no registry answers: run `make images` to build rehearse/mysql:9.7, rehearse/mariadb:11.8 and rehearse/mariadb:10.11 from Debian packages, pass --image with a present image (`docker images`), or use --engine local")
	}
	return nil
}
