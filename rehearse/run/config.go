package run

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/plan/rules"
)

// Config is rehearse.yaml (docs/config.md): the same settings as the
// commands' flags, so a repository can keep its rehearsal next to its
// migrations. ReadConfig is the one loader: `rehearse run`, `plan`,
// `capacity`, `load-profile` and the scenarios read the file through it.
// Flags given on the command line win over the file. Paths are relative to
// the file's folder.
type Config struct {
	Snapshot   string `yaml:"snapshot"`
	Migrations string `yaml:"migrations"`
	Format     string `yaml:"format"` // migration format; "" = auto-detect
	// MigrationsPattern reads an in-house runner's names
	// ("V{version}.{name}.{direction}.sql"; --migrations-pattern).
	MigrationsPattern string            `yaml:"migrations_pattern"`
	Engine            string            `yaml:"engine"`
	Scale             float64           `yaml:"scale"`
	Seed              int64             `yaml:"seed"`
	Rows              map[string]int64  `yaml:"rows"`
	Load              LoadConfig        `yaml:"load"`
	LockWaitTimeout   string            `yaml:"lock_wait_timeout"`
	Inject            []string          `yaml:"inject"`
	Gates             map[string]string `yaml:"gates"`
	Roundtrip         bool              `yaml:"roundtrip"`
	KeepGoing         bool              `yaml:"keep_going"`
	// Strategy applies the heavy statements with a strategy (--strategy:
	// native, pt-osc, online-copy; cmd needs --osc-cmd).
	Strategy string            `yaml:"strategy"`
	Settings map[string]string `yaml:"settings"`
	History  HistoryConfig     `yaml:"history"`
	// Rules sets the findings' severities and the rules' options; read by
	// plan.ParseRules (Plan returns it).
	Rules yaml.Node `yaml:"rules"`

	dir  string
	plan *plan.Config
}

// HistoryConfig is the `history:` section: how to read production's
// migration history.
type HistoryConfig struct {
	// FirstAdoption declares the release the runner's first on production
	// (no history table of that runner yet): every migration is pending.
	FirstAdoption bool `yaml:"first_adoption"`
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

// ReadConfig reads and validates a rehearse.yaml. Every key is checked: an
// unknown one, or a value the commands would reject, is an error naming
// the file and line (a typo in a gate name must not silently disable the
// gate).
func ReadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("config: %w", err), "pass --config the path of a rehearse.yaml (docs/config.md), or leave it out")
	}
	c, err := parseConfig(b, path)
	if err != nil {
		return nil, err
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

// ParseConfig parses rehearse.yaml content (messages name the file as
// "rehearse.yaml").
func ParseConfig(b []byte) (*Config, error) { return parseConfig(b, "rehearse.yaml") }

// configHint is the hint of every message about the file's content.
const configHint = "docs/config.md lists every key rehearse.yaml takes, with an example"

func parseConfig(b []byte, file string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("%s: %w", file, err), "%s", configHint)
	}
	var c Config
	if root.Kind == 0 { // empty file
		c.plan = &plan.Config{}
		return &c, nil
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if err := checkKeys(doc, reflect.TypeOf(c), ""); err != nil {
		var ke *keyError
		if errors.As(err, &ke) {
			return nil, rehearse.WithHint(fmt.Errorf("%s:%d: %s", file, ke.line, ke.msg), "%s", configHint)
		}
		return nil, err
	}
	if err := doc.Decode(&c); err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("%s: %w", file, err), "%s", configHint)
	}
	at := func(err error, path ...string) error {
		return rehearse.WithHint(fmt.Errorf("%s:%d: %s: %w", file, lineOf(doc, path...), strings.Join(path, "."), err), "%s", configHint)
	}
	for name, limit := range c.Gates {
		if _, err := NewGate(name, limit); err != nil {
			return nil, at(err, "gates", name)
		}
	}
	for i, s := range c.Inject {
		if _, err := ParseInjection(s); err != nil {
			return nil, at(err, "inject", strconv.Itoa(i))
		}
	}
	if c.LockWaitTimeout != "" {
		if _, err := time.ParseDuration(c.LockWaitTimeout); err != nil {
			return nil, at(err, "lock_wait_timeout")
		}
	}
	if c.Load.Baseline != "" {
		if _, err := time.ParseDuration(c.Load.Baseline); err != nil {
			return nil, at(err, "load", "baseline")
		}
	}
	if c.Scale < 0 {
		return nil, at(fmt.Errorf("%g: negative", c.Scale), "scale")
	}
	if c.Load.Rate < 0 {
		return nil, at(fmt.Errorf("%g: negative", c.Load.Rate), "load", "rate")
	}
	for t, n := range c.Rows {
		if n < 0 {
			return nil, at(fmt.Errorf("%d: negative", n), "rows", t)
		}
	}
	pc, err := plan.ParseRules(&c.Rules, file, rules.All())
	if err != nil {
		return nil, err
	}
	c.plan = pc
	return &c, nil
}

// Plan is the rules: section for plan.Options.Config and Options.PlanConfig.
func (c *Config) Plan() *plan.Config {
	if c == nil || c.plan == nil {
		return &plan.Config{}
	}
	return c.plan
}

// AddSettings adds the settings: section to the server variables eo
// starts with; a variable eo already sets (--set) wins.
func (c *Config) AddSettings(eo *engine.Options) {
	if c == nil || len(c.Settings) == 0 {
		return
	}
	if eo.Settings == nil {
		eo.Settings = map[string]string{}
	}
	for k, v := range c.Settings {
		if _, set := eo.Settings[k]; !set {
			eo.Settings[k] = v
		}
	}
}

// Path resolves a path from the file relative to the file's folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.dir == "" {
		return p
	}
	return filepath.Join(c.dir, p)
}
