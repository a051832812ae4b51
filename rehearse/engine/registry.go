package engine

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
)

// Config is what the engines need from the machine, read by the command
// line from flags and the environment and passed down (the library reads no
// environment variables).
type Config struct {
	// CacheDir holds the local engine's template datadirs ("" = initialise a
	// datadir on every start, seconds slower).
	CacheDir string
	// TempDir is where local sandboxes live ("" = os.TempDir()).
	TempDir string
	// RootsDir holds the image roots `make images` builds; the local engine
	// runs a server from one through chroot when the host lacks that version.
	RootsDir string
	// DockerHost is the Docker daemon's address (DOCKER_HOST); "" = Docker's
	// default socket.
	DockerHost string
	// Log receives progress lines (auto's choice, pulls, start-up).
	Log io.Writer
}

// registry maps --engine names to constructors.
var registry = map[string]func(Config) (Engine, error){
	"local": func(c Config) (Engine, error) { return newLocal(c), nil },
	"dsn":   func(Config) (Engine, error) { return &DSN{}, nil },
	"docker": func(c Config) (Engine, error) {
		return newDocker(c)
	},
	"auto": func(c Config) (Engine, error) {
		d, err := newDocker(c)
		if err != nil {
			return nil, err
		}
		return &Auto{Docker: d, Local: newLocal(c), Probe: dockerProbe(c)}, nil
	},
}

func newLocal(c Config) *Local {
	return &Local{CacheDir: c.CacheDir, TempDir: c.TempDir, RootsDir: c.RootsDir}
}

// Names lists the engine names New accepts, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New returns the engine registered under name (auto, docker, local, dsn).
// An unknown name is an error whose hint lists the known ones.
func New(name string, cfg Config) (Engine, error) {
	mk, ok := registry[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return nil, rehearse.WithHint(fmt.Errorf("unknown engine %q", name),
			"use --engine %s (auto picks docker when it can run the image, else local)", strings.Join(Names(), "|"))
	}
	return mk(cfg)
}

// unavailable is an error that reads as its message and matches
// ErrUnavailable with errors.Is (without "engine unavailable: " in front).
type unavailable struct{ msg string }

func (e unavailable) Error() string        { return e.msg }
func (e unavailable) Is(target error) bool { return target == ErrUnavailable }

// Unavailable returns an error matching ErrUnavailable with the given text.
func Unavailable(format string, args ...any) error {
	return unavailable{fmt.Sprintf(format, args...)}
}
