package run

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"
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
	Profile  string  `yaml:"profile"`
	Workers  int     `yaml:"workers"`
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
	return c, nil
}

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
