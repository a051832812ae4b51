package plan

import (
	"fmt"
	"slices"
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

// Config is the part of rehearse.yaml the plan reads: the rules: section
// (ParseRules; the file itself is read by run.ReadConfig, the one loader).
type Config struct {
	Rules map[string]RuleConfig
	// Overrides are the severities and disabled codes, for every finding
	// code (RH, RUN, CAP) through the registry (rehearse/codes).
	Overrides codes.Overrides
}

// RuleConfig tunes one code: severity (error|warning|info), disabled, and
// rule-specific options (e.g. large_table_rows; a rule lists the ones it
// takes with OptionsRule).
type RuleConfig struct {
	Severity string
	Disabled bool
	Options  map[string]any
}

// OptionsRule is a Rule that takes options in rehearse.yaml besides
// severity and disabled.
type OptionsRule interface {
	Options() []string
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

// ParseRules reads rehearse.yaml's rules: section (n is its value; file
// names the file in messages): a map of finding codes to severity,
// disabled and the rule's own options. Every key is checked: an unknown
// code, setting or severity is an error naming the file and line.
func ParseRules(n *yaml.Node, file string, rules []Rule) (*Config, error) {
	c := &Config{Rules: map[string]RuleConfig{}}
	if n == nil || n.Kind == 0 || n.Tag == "!!null" {
		return c, nil
	}
	at := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("%s:%d: rules: %s", file, n.Line, fmt.Sprintf(format, args...))
	}
	if n.Kind != yaml.MappingNode {
		return nil, rehearse.WithHint(at(n, "want a map of finding codes"), "write e.g.\nrules:\n  RH105: {severity: error}\n  RH106: {disabled: true}")
	}
	options := map[string][]string{} // the rules' own settings
	for _, r := range rules {
		if o, ok := r.(OptionsRule); ok {
			options[r.Code()] = o.Options()
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		code := strings.ToUpper(k.Value)
		if _, known := codes.Lookup(code); !known {
			return nil, rehearse.WithHint(at(k, "%q is not a finding code", k.Value), "codes are listed in docs/rules/ (RH001..., RH101..., RUN201..., CAP001...)")
		}
		opts := options[code]
		if _, dup := c.Rules[code]; dup {
			return nil, at(k, "%s given twice", code)
		}
		var rc RuleConfig
		if v.Kind == yaml.ScalarNode { // the short forms: RH101: off, RH008: warning
			switch val := strings.ToLower(v.Value); val {
			case "off", "disabled":
				rc.Disabled = true
			case "error", "warning", "info":
				rc.Severity = val
			default:
				return nil, rehearse.WithHint(at(v, "%s: %q", code, v.Value), "write %s: warning (error, warning, info or off), or %s: {severity: warning, ...}", code, code)
			}
			if err := c.set(code, rc); err != nil {
				return nil, at(v, "%v", err)
			}
			continue
		}
		if v.Kind != yaml.MappingNode {
			return nil, rehearse.WithHint(at(v, "%s: want a map", code), "write %s: {severity: warning} (or disabled: true)", code)
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			ok, ov := v.Content[j], v.Content[j+1]
			switch name := ok.Value; {
			case name == "severity":
				switch sev := strings.ToLower(ov.Value); sev {
				case "error", "warning", "info":
					rc.Severity = sev
				default:
					return nil, rehearse.WithHint(at(ov, "%s: severity %q", code, ov.Value), "use error, warning or info")
				}
			case name == "disabled":
				if err := ov.Decode(&rc.Disabled); err != nil {
					return nil, rehearse.WithHint(at(ov, "%s: disabled %q", code, ov.Value), "use true or false")
				}
			case slices.Contains(opts, name):
				var x any
				if err := ov.Decode(&x); err != nil {
					return nil, at(ov, "%s: %s: %v", code, name, err)
				}
				if rc.Options == nil {
					rc.Options = map[string]any{}
				}
				rc.Options[name] = x
			default:
				known := append([]string{"severity", "disabled"}, opts...)
				return nil, rehearse.WithHint(at(ok, "%s: unknown setting %q", code, name), "%s takes: %s (docs/rules/%s.md)", code, strings.Join(known, ", "), code)
			}
		}
		if err := c.set(code, rc); err != nil {
			return nil, at(k, "%v", err)
		}
	}
	return c, nil
}

// set records a code's configuration; its severity and disabled go
// through the registry's overrides (checked there too).
func (c *Config) set(code string, rc RuleConfig) error {
	c.Rules[code] = rc
	return c.Overrides.Set(code, rc.Severity, rc.Disabled)
}

// Severity is code's severity with the configuration applied: def unless
// rehearse.yaml sets one; enabled is false when the code is disabled.
func (c *Config) Severity(code string, def Severity) (sev Severity, enabled bool) {
	if c == nil {
		return def, true
	}
	return c.Overrides.Apply(code, def)
}

// apply sets a finding's severity from the config; false when disabled.
func (c *Config) apply(f *Finding) bool {
	sev, enabled := c.Severity(f.Code, f.Severity)
	f.Severity = sev
	return enabled
}
