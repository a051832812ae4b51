package reproduce

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/run"
)

// Fix is a proposed remedy: a named change to the rehearsal's options,
// rehearsed on the same evidence as the incident.
type Fix struct {
	Spec  string // as given: "lock-wait-timeout=5s"
	Name  string // "lock-wait-timeout"
	Value string
	// Apply changes a copy of the incident's options; it returns what it
	// changed, in words, for the report.
	Apply func(ctx context.Context, o *run.Options, s *Setup) ([]string, error)
}

// FixKind reads a fix's value and returns the change it makes.
type FixKind func(value string) (func(ctx context.Context, o *run.Options, s *Setup) ([]string, error), error)

var fixKinds = map[string]FixKind{}

// pendingFixes are fix kinds that another part of rehearse will provide:
// asked for, they are listed as pending in the report, not rehearsed.
var pendingFixes = map[string]string{}

// RegisterFix adds a kind of fix (--fix NAME=VALUE). A strategy
// (--fix strategy=pt-osc) registers here when the strategies arrive: its
// FixKind sets the rehearsal's options for that strategy.
func RegisterFix(name string, k FixKind) {
	if _, dup := fixKinds[name]; dup {
		panic("reproduce: fix " + name + " registered twice")
	}
	fixKinds[name] = k
	delete(pendingFixes, name)
}

// FixNames lists the kinds of fix this build rehearses.
func FixNames() []string {
	var out []string
	for k := range fixKinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ErrPendingFix is wrapped by ParseFix for a fix kind this build does not
// rehearse yet (the report lists it as pending).
var ErrPendingFix = errors.New("pending fix")

// ParseFix reads one --fix NAME=VALUE.
func ParseFix(spec string) (Fix, error) {
	name, value, ok := strings.Cut(strings.TrimSpace(spec), "=")
	if !ok || value == "" {
		return Fix{}, rehearse.WithHint(fmt.Errorf("--fix %q: want NAME=VALUE", spec), "e.g. --fix lock-wait-timeout=5s or --fix split-migrations=./migrations-split")
	}
	if why, pending := pendingFixes[name]; pending {
		return Fix{}, fmt.Errorf("%w: --fix %s: %s", ErrPendingFix, spec, why)
	}
	k, ok := fixKinds[name]
	if !ok {
		return Fix{}, rehearse.WithHint(fmt.Errorf("--fix %q: unknown fix %q", spec, name), "use one of: %s", strings.Join(FixNames(), ", "))
	}
	apply, err := k(value)
	if err != nil {
		return Fix{}, rehearse.WithHint(fmt.Errorf("--fix %s: %w", spec, err), "docs/reproduce.md lists the fixes and their values")
	}
	return Fix{Spec: spec, Name: name, Value: value, Apply: apply}, nil
}

func init() {
	RegisterFix("lock-wait-timeout", func(v string) (func(context.Context, *run.Options, *Setup) ([]string, error), error) {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d%time.Second != 0 {
			return nil, fmt.Errorf("%q: want whole seconds, e.g. 5s (lock_wait_timeout counts seconds)", v)
		}
		return func(_ context.Context, o *run.Options, _ *Setup) ([]string, error) {
			before := o.LockWaitTimeout
			o.LockWaitTimeout = d
			return []string{fmt.Sprintf("lock_wait_timeout %s for each migration statement (the incident's: %s)", d, lwt(before))}, nil
		}, nil
	})
	RegisterFix("strategy", func(v string) (func(context.Context, *run.Options, *Setup) ([]string, error), error) {
		if v != run.StrategyPTOSC && v != run.StrategyOnlineCopy && v != run.StrategyNative {
			return nil, fmt.Errorf("%q: want pt-osc, online-copy or native (a cmd tool needs rehearse compare --osc-cmd)", v)
		}
		return func(_ context.Context, o *run.Options, _ *Setup) ([]string, error) {
			o.Strategy.Name = v
			return []string{"the heavy statements applied with " + v + " (docs/strategies.md)"}, nil
		}, nil
	})
	RegisterFix("split-migrations", func(dir string) (func(context.Context, *run.Options, *Setup) ([]string, error), error) {
		return func(ctx context.Context, o *run.Options, s *Setup) ([]string, error) {
			set, err := migrations.Load(ctx, migrations.Options{Dir: dir, Format: s.opts.MigrationsFormat, Pattern: s.opts.MigrationsPattern, Flavor: o.Snapshot.Source.Flavor})
			if err != nil {
				return nil, err
			}
			o.Migrations, o.MigrationsDir = set, dir
			changes := []string{"the migrations of " + dir + " instead of " + s.opts.Run.MigrationsDir}
			// The blocker holds the same table: before the split release's
			// statement that is the incident's DDL, else before the first
			// one on its table.
			o.Injections = nil
			for _, in := range s.run.Injections {
				moved, where := s.retarget(in, run.Pending(set, o.Snapshot))
				o.Injections = append(o.Injections, moved)
				changes = append(changes, "the blocker opens "+where)
			}
			return changes, nil
		}, nil
	})
}

func lwt(d time.Duration) string {
	if d == 0 {
		return "the server's"
	}
	return d.String()
}
