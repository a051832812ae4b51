package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
	"github.com/spf13/cobra"
)

// engineFlags are the flags that choose and configure the database engine.
// Every command that starts a server (sandbox, snapshot, plan, run) adds them
// with addEngineFlags and turns them into an engine with build.
type engineFlags struct {
	Engine  string
	Image   string
	Flavor  string
	Version string
	Set     []string
	Basedir string
	Rootfs  string
	DSN     string
	Keep    bool
	Port    int
}

// addEngineFlags registers the engine flags on cmd.
func addEngineFlags(cmd *cobra.Command) *engineFlags {
	f := &engineFlags{}
	fs := cmd.Flags()
	fs.StringVar(&f.Engine, "engine", "auto", "where the server runs: auto|docker|local|dsn (auto: docker when it can run the image, else local)")
	fs.StringVar(&f.Image, "image", "", "docker image to run (default: rehearse/<flavor>:<version> from `make images`, else the official image)")
	fs.StringVar(&f.Flavor, "flavor", "", "server flavor: mysql or mariadb (default: what the engine finds)")
	fs.StringVar(&f.Version, "version", "", "server version, major.minor or exact (e.g. 10.11, 9.7)")
	fs.StringArrayVar(&f.Set, "set", nil, "server variable `name=value` applied at start (repeatable)")
	fs.StringVar(&f.Basedir, "basedir", "", "local engine: the server's install folder (holding bin/ or sbin/)")
	fs.StringVar(&f.Rootfs, "rootfs", "", "local engine: run the server inside this root file system (chroot), e.g. one `make images` built")
	fs.StringVar(&f.DSN, "dsn", "", "with --engine dsn: an existing server to work on in a scratch database, user:pass@tcp(host:3306)/ or mysql://user:pass@host:3306/ ($REHEARSE_TARGET_DSN keeps the password out of the process list)")
	fs.BoolVar(&f.Keep, "keep", false, "dsn engine: keep the scratch database rehearse_<id> instead of dropping it")
	fs.IntVar(&f.Port, "port", 0, "local engine: loopback port to listen on (default: a free one)")
	return f
}

// fromConfig takes the engine from rehearse.yaml when --engine is not given.
func (f *engineFlags) fromConfig(cfg *rehearsal.Config, changed func(string) bool) {
	if cfg != nil && cfg.Engine != "" && !changed("engine") {
		f.Engine = cfg.Engine
	}
}

// engineConfig is what the environment tells the engines: the template
// cache ($REHEARSE_CACHE_DIR, else the user cache dir), the image roots
// ($REHEARSE_ROOTFS_DIR, else /var/lib/rehearse/rootfs) and the Docker daemon
// ($DOCKER_HOST).
func engineConfig(log io.Writer) engine.Config {
	cache := os.Getenv("REHEARSE_CACHE_DIR")
	if cache == "" {
		if d, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(d, "rehearse")
		}
	}
	roots := os.Getenv("REHEARSE_ROOTFS_DIR")
	if roots == "" {
		roots = "/var/lib/rehearse/rootfs"
	}
	return engine.Config{CacheDir: cache, RootsDir: roots, DockerHost: os.Getenv("DOCKER_HOST"), Log: log}
}

// build validates the flags and returns the engine and the options to start
// it with; log receives the engine's progress.
func (f *engineFlags) build(log io.Writer) (engine.Engine, engine.Options, error) {
	var opts engine.Options
	name := strings.ToLower(strings.TrimSpace(f.Engine))
	// The dsn engine writes to a server that already exists: it is used
	// only when asked for by name (--engine dsn), never chosen by auto, and
	// its server comes from --dsn or $REHEARSE_TARGET_DSN, never from
	// $REHEARSE_DSN (the snapshot's source, production).
	dsn := f.DSN
	if dsn == "" && name == "dsn" {
		dsn = os.Getenv(targetDSNEnv)
		if dsn == "" && os.Getenv(deprecatedDSNEnv) != "" {
			return nil, opts, rehearse.WithHint(errors.New("--engine dsn needs a server: $REHEARSE_DSN is not read for it (it names the snapshot's source, production)"),
				"pass --dsn or set %s to the server to work on", targetDSNEnv)
		}
	}
	flavor, err := engine.ParseFlavor(f.Flavor)
	if err != nil {
		return nil, opts, rehearse.WithHint(err, "pass --flavor mysql or --flavor mariadb")
	}
	settings := map[string]string{}
	for _, kv := range f.Set {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, opts, rehearse.WithHint(fmt.Errorf("--set %q: not name=value", kv), "write --set lock_wait_timeout=50 (one variable per --set)")
		}
		settings[k] = v
	}
	if f.Port < 0 || f.Port > 65535 {
		return nil, opts, rehearse.WithHint(fmt.Errorf("--port %d: not a TCP port", f.Port), "use a port from 1 to 65535, or leave --port out")
	}
	// Flags that belong to another engine are mistakes, not wishes to ignore.
	only := func(flag string, set bool, engines ...string) error {
		if !set {
			return nil
		}
		for _, e := range engines {
			if name == e {
				return nil
			}
		}
		return rehearse.WithHint(fmt.Errorf("--%s does not apply to --engine %s", flag, name), "use --%s with --engine %s", flag, strings.Join(engines, " or "))
	}
	if err := errors.Join(
		only("image", f.Image != "", "auto", "docker"),
		only("basedir", f.Basedir != "", "auto", "local"),
		only("rootfs", f.Rootfs != "", "auto", "local"),
		only("port", f.Port != 0, "auto", "local"),
		only("dsn", dsn != "", "dsn"),
		only("keep", f.Keep, "dsn"),
	); err != nil {
		return nil, opts, firstError(err)
	}
	if name == "auto" && (f.Basedir != "" || f.Rootfs != "" || f.Port != 0) {
		name = "local" // those say where the local server comes from
	}
	if f.Rootfs != "" {
		if st, err := os.Stat(f.Rootfs); err != nil || !st.IsDir() {
			return nil, opts, rehearse.WithHint(fmt.Errorf("--rootfs %s: not a folder", f.Rootfs), "run `make images` to build the roots, or pass the path of a root file system")
		}
	}
	if f.Basedir != "" {
		if st, err := os.Stat(f.Basedir); err != nil || !st.IsDir() {
			return nil, opts, rehearse.WithHint(fmt.Errorf("--basedir %s: not a folder", f.Basedir), "pass the folder that holds the server's bin/ or sbin/")
		}
	}
	if name == "dsn" && dsn == "" {
		return nil, opts, rehearse.WithHint(errors.New("--engine dsn needs a server"), "pass --dsn 'user:password@tcp(host:3306)/' or set %s", targetDSNEnv)
	}
	cfg := engineConfig(log)
	eng, err := engine.New(name, cfg)
	if err != nil {
		return nil, opts, err
	}
	opts = engine.Options{
		Flavor:   flavor,
		Version:  strings.TrimSpace(f.Version),
		Image:    strings.TrimSpace(f.Image),
		Settings: settings,
		Basedir:  f.Basedir,
		Rootfs:   f.Rootfs,
		Port:     f.Port,
		DSN:      dsn,
		Keep:     f.Keep,
		Log:      log,
	}
	return eng, opts, nil
}

// The environment variables that name servers. The source is production,
// read by `rehearse snapshot` only; the target is a server the dsn engine
// and `rehearse generate` write to. REHEARSE_DSN, which meant either, is
// read for one more release as the source only, with a warning.
const (
	sourceDSNEnv     = "REHEARSE_SOURCE_DSN"
	targetDSNEnv     = "REHEARSE_TARGET_DSN"
	deprecatedDSNEnv = "REHEARSE_DSN"
)

// sourceDSN is the snapshot source from the environment: $REHEARSE_SOURCE_DSN,
// else the deprecated $REHEARSE_DSN with a warning on log.
func sourceDSN(log io.Writer) string {
	if v := os.Getenv(sourceDSNEnv); v != "" {
		return v
	}
	v := os.Getenv(deprecatedDSNEnv)
	if v != "" {
		fmt.Fprintf(log, "rehearse: warning: $%s is deprecated and will be removed in the next release: set $%s for the server to snapshot (it is never used as a target)\n", deprecatedDSNEnv, sourceDSNEnv)
	}
	return v
}

// firstError unwraps an errors.Join to its first error (with its hint).
func firstError(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
		return j.Unwrap()[0]
	}
	return err
}

// describeRequest says what server was asked for, for progress lines.
func describeRequest(opts engine.Options) string {
	switch {
	case opts.DSN != "":
		return "a scratch database on the server in --dsn"
	case opts.Image != "":
		return "image " + opts.Image
	case opts.Flavor != "" && opts.Version != "":
		return string(opts.Flavor) + " " + opts.Version
	case opts.Flavor != "":
		return string(opts.Flavor)
	case opts.Version != "":
		return "version " + opts.Version
	}
	return "the default server"
}
