package scenarios

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
)

// Scenario is one incident of the library.
type Scenario struct {
	// Name is how commands refer to the scenario, and its folder under
	// library/.
	Name string
	// Order places the scenario in listings (the numbering).
	Order int
	// Title is a short headline; Story is the one-line story `scenarios
	// list` prints.
	Title string
	Story string
	// Incident tells the real incident in a few sentences; Sources are its
	// public references (INCIDENTS.md).
	Incident string
	Sources  []string
	// Look says what to look for in the report.
	Look []string
	// DefaultScale is the fraction of production's row counts a plain
	// `rehearse scenarios run NAME` generates; CIScale is the smaller one
	// the test suite uses.
	DefaultScale float64
	CIScale      float64
	// Flagship marks the scenario `make demo` runs.
	Flagship bool
	// Variants are the runnable versions, the unsafe one first.
	Variants []Variant
	// Extra are other files of the folder that Export writes next to the
	// variant's inputs (e.g. staging.json, for `rehearse diff`). Snapshots
	// among them follow the exported flavor like the variant's own.
	Extra []string
}

// Variant is one runnable version of a scenario: its inputs are files of the
// scenario's folder.
type Variant struct {
	// Name is "unsafe", "fixed" or another word the story needs
	// ("staging").
	Name string
	// Summary says in a few words what differs from the unsafe variant.
	Summary string
	// Outcome is the expected result, in a few words ("fail: ...").
	Outcome string
	// Config is the rehearse.yaml of this variant, relative to the
	// scenario's folder. Its snapshot and migrations keys name the other
	// inputs.
	Config string
}

// Variant names used by every scenario.
const (
	Unsafe = "unsafe"
	Fixed  = "fixed"
)

// ErrUnknown is wrapped by lookups of a name the library does not hold.
var ErrUnknown = errors.New("unknown scenario")

var registry = map[string]*Scenario{}

// register adds s to the library; it panics on a duplicate or incomplete
// registration, which is a programming error caught by every test run.
func register(s Scenario) {
	if s.Name == "" || s.Story == "" || s.DefaultScale <= 0 || s.CIScale <= 0 || len(s.Variants) == 0 {
		panic(fmt.Sprintf("scenarios: incomplete registration %q", s.Name))
	}
	if _, dup := registry[s.Name]; dup {
		panic(fmt.Sprintf("scenarios: %q registered twice", s.Name))
	}
	if s.Variants[0].Name != Unsafe {
		panic(fmt.Sprintf("scenarios: %q: the first variant must be %q", s.Name, Unsafe))
	}
	registry[s.Name] = &s
}

// All returns every scenario in the library's order.
func All() []*Scenario {
	out := make([]*Scenario, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Names returns the scenario names in the library's order.
func Names() []string {
	var names []string
	for _, s := range All() {
		names = append(names, s.Name)
	}
	return names
}

// Get returns the named scenario. A name the library does not hold is an
// error that wraps ErrUnknown and lists the names it does hold. A number
// ("1") selects the scenario of that order.
func Get(name string) (*Scenario, error) {
	if s, ok := registry[name]; ok {
		return s, nil
	}
	for _, s := range registry {
		if fmt.Sprint(s.Order) == name {
			return s, nil
		}
	}
	return nil, rehearse.WithHint(fmt.Errorf("%w %q", ErrUnknown, name),
		"use one of: %s (see `rehearse scenarios list`)", strings.Join(Names(), ", "))
}

// Flagship returns the scenario `make demo` runs.
func Flagship() *Scenario {
	for _, s := range All() {
		if s.Flagship {
			return s
		}
	}
	return nil
}

// Variant returns the named variant ("" means unsafe).
func (s *Scenario) Variant(name string) (*Variant, error) {
	if name == "" {
		name = Unsafe
	}
	var names []string
	for i := range s.Variants {
		if s.Variants[i].Name == name {
			return &s.Variants[i], nil
		}
		names = append(names, s.Variants[i].Name)
	}
	return nil, rehearse.WithHint(fmt.Errorf("scenario %s has no variant %q", s.Name, name),
		"use one of: %s", strings.Join(names, ", "))
}
