package plan

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/snapshot"
)

// Rule is one lint check over a plan (package plan/rules holds them, one
// file each). Check returns findings with Code, Message and location set;
// Build fills in severity, title and docs page from the rule and config.
type Rule interface {
	Code() string // "RH101"
	Title() string
	Severity() Severity // default severity
	Check(c *RuleContext) []Finding
}

// RuleContext is what a rule sees.
type RuleContext struct {
	Plan     *Plan
	Pending  []*migrations.Migration // same order as Plan.Pending
	Snapshot *snapshot.Snapshot
	Config   RuleConfig
}

// Config is the rehearse.yaml file's part the plan reads.
type Config struct {
	Rules map[string]RuleConfig `yaml:"rules"`
}

// RuleConfig tunes one code: severity (error|warning|info), disabled, and
// rule-specific options (e.g. large_table_rows).
type RuleConfig struct {
	Severity string         `yaml:"severity"`
	Disabled bool           `yaml:"disabled"`
	Options  map[string]any `yaml:",inline"`
}

// Int returns an integer option or def.
func (c RuleConfig) Int(name string, def int64) int64 {
	switch v := c.Options[name].(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return def
}

// LoadConfig reads a rehearse.yaml. A missing file is an empty config when
// optional is set.
func LoadConfig(path string, optional bool) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if optional && os.IsNotExist(err) {
			return &Config{}, nil
		}
		return nil, rehearse.WithHint(fmt.Errorf("config %s: %w", path, err), "pass --config the path of a rehearse.yaml, or leave it out")
	}
	var c Config
	// rehearse.yaml is shared with `rehearse run` (run.Config, which checks
	// every key strictly): here only the rules: section is read.
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&c); err != nil && err.Error() != "EOF" {
		return nil, rehearse.WithHint(fmt.Errorf("config %s: %w", path, err), "the file holds a `rules:` map of codes, e.g.\nrules:\n  RH105: {severity: error}\n  RH106: {disabled: true}")
	}
	var o codes.Overrides
	for code, rc := range c.Rules {
		if err := o.Set(code, rc.Severity, rc.Disabled); err != nil {
			return nil, rehearse.WithHint(fmt.Errorf("config %s: rules: %w", path, err), "codes look like RH101 (see docs/rules/); severities are error, warning or info")
		}
	}
	return &c, nil
}

// apply sets a finding's severity from the config; false when disabled.
func (c *Config) apply(f *Finding) bool {
	if c == nil {
		return true
	}
	rc, ok := c.Rules[f.Code]
	if !ok {
		return true
	}
	if rc.Disabled {
		return false
	}
	if rc.Severity != "" {
		f.Severity = Severity(strings.ToLower(rc.Severity))
	}
	return true
}
