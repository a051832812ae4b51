package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rehearse/rehearse/rehearse"
)

// Binary is a server executable found on this machine (or in a root file
// system).
type Binary struct {
	Path    string // path as seen from inside Rootfs when Rootfs is set
	Rootfs  string // "" for a host binary
	Flavor  Flavor
	Version string // exact, e.g. "10.11.19"
}

func (b Binary) String() string {
	if b.Rootfs != "" {
		return fmt.Sprintf("%s %s (%s in %s)", b.Flavor, b.Version, b.Path, b.Rootfs)
	}
	return fmt.Sprintf("%s %s (%s)", b.Flavor, b.Version, b.Path)
}

var serverNames = []string{"mariadbd", "mysqld"}

var versionRe = regexp.MustCompile(`Ver\s+(\d+\.\d+\.\d+)(\S*)`)

// probed caches probeBinary's answers by path, size and modification time:
// a process that starts several servers asks each binary once.
var probed sync.Map // probeKey -> Binary

type probeKey struct {
	host  string
	size  int64
	mtime time.Time
}

// probeBinary runs `BIN --version` and parses flavor and version.
func probeBinary(ctx context.Context, path, rootfs string) (Binary, error) {
	host := filepath.Join(rootfs, path)
	var key probeKey
	if st, err := os.Stat(host); err == nil {
		key = probeKey{host, st.Size(), st.ModTime()}
		if b, ok := probed.Load(key); ok {
			return b.(Binary), nil
		}
	}
	b, err := probeBinaryOnce(ctx, path, rootfs)
	if err == nil && key.host != "" {
		probed.Store(key, b)
	}
	return b, err
}

func probeBinaryOnce(ctx context.Context, path, rootfs string) (Binary, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var cmd *exec.Cmd
	if rootfs != "" {
		cmd = exec.CommandContext(ctx, "chroot", rootfs, path, "--version")
	} else {
		cmd = exec.CommandContext(ctx, path, "--version")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return Binary{}, fmt.Errorf("%s --version: %w: %s", path, err, strings.TrimSpace(string(out)))
	}
	m := versionRe.FindStringSubmatch(string(out))
	if m == nil {
		return Binary{}, fmt.Errorf("%s --version: cannot read a version in %q", path, strings.TrimSpace(string(out)))
	}
	f := MySQL
	if strings.Contains(strings.ToLower(string(out)), "mariadb") {
		f = MariaDB
	}
	return Binary{Path: path, Rootfs: rootfs, Flavor: f, Version: m[1]}, nil
}

// FindBinaries lists the server binaries available: in basedir/bin and
// basedir/sbin when basedir is set, else on PATH and in /usr/sbin and
// /usr/local/sbin; in rootfs (through chroot) when rootfs is set. Binaries
// that are links to one another are listed once.
func FindBinaries(ctx context.Context, basedir, rootfs string) []Binary {
	var candidates []string
	switch {
	case rootfs != "":
		for _, d := range []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin"} {
			for _, n := range serverNames {
				candidates = append(candidates, filepath.Join(d, n))
			}
		}
	case basedir != "":
		for _, d := range []string{"bin", "sbin", "libexec"} {
			for _, n := range serverNames {
				candidates = append(candidates, filepath.Join(basedir, d, n))
			}
		}
	default:
		for _, n := range serverNames {
			if p, err := exec.LookPath(n); err == nil {
				candidates = append(candidates, p)
			}
		}
		for _, d := range []string{"/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin"} {
			for _, n := range serverNames {
				candidates = append(candidates, filepath.Join(d, n))
			}
		}
	}
	seen := map[string]bool{}
	var out []Binary
	for _, c := range candidates {
		host := c
		if rootfs != "" {
			host = filepath.Join(rootfs, c)
		}
		real, err := filepath.EvalSymlinks(host)
		if err != nil || seen[real] {
			continue
		}
		if st, err := os.Stat(real); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			continue
		}
		seen[real] = true
		b, err := probeBinary(ctx, c, rootfs)
		if err != nil {
			continue
		}
		out = append(out, b)
	}
	return out
}

// versionMatches reports whether an exact version satisfies a requested one
// ("" matches all; "10.11" matches "10.11.19"; "10.11.19" only itself).
func versionMatches(exact, want string) bool {
	if want == "" {
		return true
	}
	return exact == want || strings.HasPrefix(exact, want+".")
}

// PickBinary chooses the binary for flavor/version among the found ones.
func PickBinary(bins []Binary, f Flavor, version string) (Binary, bool) {
	return pickExact(bins, f, version, "")
}

// pickExact is PickBinary preferring exact (a full version) among the
// binaries that match f and version.
func pickExact(bins []Binary, f Flavor, version, exact string) (Binary, bool) {
	var first Binary
	found := false
	for _, b := range bins {
		if (f == "" || b.Flavor == f) && versionMatches(b.Version, version) {
			if exact == "" || b.Version == exact {
				return b, true
			}
			if !found {
				first, found = b, true
			}
		}
	}
	return first, found
}

// ImageRoot is a root file system built by `make images`, named
// <flavor>-<major.minor> (for example "mysql-9.7") under a roots folder.
type ImageRoot struct {
	Path    string
	Flavor  Flavor
	Version string // major.minor from the folder name
}

// ImageRoots lists the image roots under dir (a missing dir lists none).
// Only folders named <flavor>-<version> that hold a usr/sbin are listed.
func ImageRoots(dir string) []ImageRoot {
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []ImageRoot
	for _, e := range entries {
		name := e.Name()
		i := strings.IndexByte(name, '-')
		if !e.IsDir() || i < 0 {
			continue
		}
		f, err := ParseFlavor(name[:i])
		if err != nil || f == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(filepath.Join(p, "usr", "sbin")); err != nil || !st.IsDir() {
			continue
		}
		out = append(out, ImageRoot{Path: p, Flavor: f, Version: name[i+1:]})
	}
	return out
}

// findBinary picks the server binary for opts: from opts.Rootfs or
// opts.Basedir when given; else from the host, then from the image roots
// under rootsDir whose name matches the requested flavor and version.
func findBinary(ctx context.Context, opts Options, rootsDir string) (Binary, error) {
	bins := FindBinaries(ctx, opts.Basedir, opts.Rootfs)
	picked, ok := pickExact(bins, opts.Flavor, opts.Version, opts.Exact)
	exact := func() bool { return ok && (opts.Exact == "" || picked.Version == opts.Exact) }
	// The image roots serve what the host lacks: a version, or the exact
	// patch version asked for (a snapshot of a Debian 12 host's 10.11.19
	// where the host runs 10.11.18, or the reverse).
	if opts.Basedir == "" && opts.Rootfs == "" && !exact() {
		for _, r := range ImageRoots(rootsDir) {
			if opts.Flavor != "" && r.Flavor != opts.Flavor {
				continue
			}
			if opts.Version != "" && !versionMatches(r.Version, opts.Version) && !versionMatches(opts.Version, r.Version) {
				continue
			}
			rb := FindBinaries(ctx, "", r.Path)
			if b, found := pickExact(rb, opts.Flavor, opts.Version, opts.Exact); found && (!ok || opts.Exact != "" && b.Version == opts.Exact) {
				picked, ok = b, true
			}
			bins = append(bins, rb...)
			if exact() {
				break
			}
		}
	}
	if ok {
		return picked, nil
	}
	what := "a MySQL or MariaDB server"
	if opts.Flavor != "" {
		what = string(opts.Flavor)
		if opts.Version != "" {
			what += " " + opts.Version
		}
	}
	where := "on this machine"
	switch {
	case opts.Rootfs != "":
		where = "in root " + opts.Rootfs
	case opts.Basedir != "":
		where = "in basedir " + opts.Basedir
	}
	found := "none"
	if len(bins) > 0 {
		var names []string
		for _, b := range bins {
			names = append(names, b.String())
		}
		found = strings.Join(names, ", ")
	}
	return Binary{}, rehearse.WithHint(
		Unavailable("local engine: no server binary for %s %s (found: %s)", what, where, found),
		"%s", InstallHint(opts.Flavor, opts.Version))
}

// InstallHint says how to get a server binary of flavor/version here: the
// Debian package or `make images` root that provides it, or the engines
// that do not need one.
func InstallHint(f Flavor, version string) string {
	short := ShortVersion(version)
	switch {
	case f == MariaDB && (short == "" || short == "10.11"):
		return "apt-get install mariadb-server (Debian 12 ships MariaDB 10.11), or pass --basedir DIR of an unpacked MariaDB release"
	case f == "" && short == "":
		return "apt-get install mariadb-server (Debian 12 ships MariaDB 10.11), or run `make images` for MySQL 9.7 and MariaDB 11.8 roots"
	case f == MariaDB && short == "11.8":
		return "run `make images` (builds the mariadb-11.8 root from Debian trixie; the local engine finds it), or use --engine docker"
	case f == MySQL && short == "9.7":
		return "run `make images` (builds the mysql-9.7 root from Debian sid, whose mysql-server is MySQL 9.7; the local engine finds it), or use --engine docker"
	case f == MySQL:
		return fmt.Sprintf("Debian ships no MySQL %s package: use --engine docker --image mysql:%s, or pass --basedir DIR of an unpacked MySQL %s release (from Oracle's tarball)", short, short, short)
	default:
		return fmt.Sprintf("Debian ships no MariaDB %s package here: use --engine docker --image mariadb:%s, or pass --basedir DIR of an unpacked MariaDB %s release", short, short, short)
	}
}
