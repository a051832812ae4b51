package run

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/load"
)

// Config is rehearse.yaml: the same settings as `rehearse run`'s flags, so a
// repository can keep its rehearsal next to its migrations. Flags given on the
// command line win over the file. Paths are relative to the file's folder.
type Config struct {
	Snapshot        string            `yaml:"snapshot"`
	Migrations      string            `yaml:"migrations"`
	Format          string            `yaml:"format"` // migration format; "" = auto-detect
	Engine          string            `yaml:"engine"`
	Scale           float64           `yaml:"scale"`
	Seed            int64             `yaml:"seed"`
	Rows            map[string]int64  `yaml:"rows"`
	Load            LoadConfig        `yaml:"load"`
	LockWaitTimeout string            `yaml:"lock_wait_timeout"`
	Inject          []string          `yaml:"inject"`
	Gates           map[string]string `yaml:"gates"`
	Roundtrip       bool              `yaml:"roundtrip"`
	Settings        map[string]string `yaml:"settings"`
	// Rules configures the plan's rules (read by rehearse/plan).
	Rules yaml.Node `yaml:"rules"`

	dir string
}

// LoadConfig is the `load:` section.
type LoadConfig struct {
	Rate     float64 `yaml:"rate"`
	Baseline string  `yaml:"baseline"`
	// Profile is the simulated application's workload: the path of a load
	// profile file (relative to rehearse.yaml), or the profile itself
	// written inline (docs/load-profile.md). ReadConfig reads and checks
	// it; LoadProfile returns it.
	Profile ProfileSetting `yaml:"profile"`
	Workers int            `yaml:"workers"`

	profile *load.ProfileFile
}

// ProfileSetting is load.profile as written: a scalar (a file name) or a
// mapping (the profile inline), kept as a YAML node so its lines reach
// the profile's messages.
type ProfileSetting struct{ node *yaml.Node }

// UnmarshalYAML keeps the node.
func (p *ProfileSetting) UnmarshalYAML(n *yaml.Node) error {
	p.node = n
	return nil
}

// ReadConfig reads and validates a rehearse.yaml. Unknown keys are errors
// (a typo in a gate name must not silently disable the gate).
func ReadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.dir = filepath.Dir(path)
	// The load profile's own messages name the file and line.
	if err := c.readLoadProfile(path); err != nil {
		return nil, err
	}
	return c, nil
}

// readLoadProfile reads load.profile: a file named relative to the config,
// or the mapping written inline (its lines are the config's).
func (c *Config) readLoadProfile(path string) error {
	n := c.Load.Profile.node
	switch {
	case n == nil || n.Kind == 0 || n.Tag == "!!null":
		return nil
	case n.Kind == yaml.ScalarNode:
		f, err := load.ReadProfile(c.Path(n.Value))
		if err != nil {
			return err
		}
		c.Load.profile = f
	case n.Kind == yaml.MappingNode:
		f, err := load.ProfileFromNode(n, path)
		if err != nil {
			return err
		}
		b, err := yaml.Marshal(n)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		f.Digest = "sha256:" + hex.EncodeToString(sum[:])
		c.Load.profile = f
	default:
		return rehearse.WithHint(fmt.Errorf("%s:%d: load.profile: want a file name or a profile mapping", path, n.Line),
			"write `profile: load-profile.yaml`, or the profile itself under profile: (docs/load-profile.md)")
	}
	return nil
}

// LoadProfile is load.profile, read and checked for syntax by ReadConfig
// (nil when the config has none, or came from ParseConfig).
func (c *Config) LoadProfile() *load.ProfileFile { return c.Load.profile }

// ParseConfig parses rehearse.yaml content.
func ParseConfig(b []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	for name, limit := range c.Gates {
		if _, err := NewGate(name, limit); err != nil {
			return nil, fmt.Errorf("gates: %w", err)
		}
	}
	for _, s := range c.Inject {
		if _, err := ParseInjection(s); err != nil {
			return nil, fmt.Errorf("inject: %w", err)
		}
	}
	if c.LockWaitTimeout != "" {
		if _, err := time.ParseDuration(c.LockWaitTimeout); err != nil {
			return nil, fmt.Errorf("lock_wait_timeout: %w", err)
		}
	}
	if c.Load.Baseline != "" {
		if _, err := time.ParseDuration(c.Load.Baseline); err != nil {
			return nil, fmt.Errorf("load.baseline: %w", err)
		}
	}
	return &c, nil
}

// Path resolves a path from the file relative to the file's folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.dir == "" {
		return p
	}
	return filepath.Join(c.dir, p)
}
