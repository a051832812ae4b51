package reproduce

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
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

// RegisterFix adds a kind of fix (--fix NAME=VALUE); one registered under
// a pending name replaces the pending entry.
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
				moved, where := s.retarget(in, migrations.Pending(set, o.Snapshot))
				o.Injections = append(o.Injections, moved)
				changes = append(changes, "the blocker opens "+where)
			}
			return changes, nil
		}, nil
	})
	RegisterFix("strategy", strategyFix)
}

// strategyFix is --fix strategy=NAME: the release applied as
// rehearse run --strategy NAME would (its heavy statements through the
// strategy), and every statement of the migration whose DDL the incident
// waited on through it too, heavy or not (--strategy-for): an index build
// the plan calls online still queued behind the blocker.
func strategyFix(name string) (func(context.Context, *run.Options, *Setup) ([]string, error), error) {
	if !slices.Contains(run.StrategyNames(), name) {
		return nil, fmt.Errorf("%q is not a strategy: use one of %s (as for rehearse run --strategy)", name, strings.Join(run.StrategyNames(), ", "))
	}
	return func(_ context.Context, o *run.Options, s *Setup) ([]string, error) {
		o.Strategy.Name = name
		changes := []string{fmt.Sprintf("the heavy statements (a table copy or rebuild, or writes blocked, as the plan and the server's probe say) applied with %s", name)}
		var forced []string
		if s != nil && s.Derived.Migration != "" && o.Migrations != nil {
			v := s.Derived.Migration
			o.Strategy.For = maps.Clone(o.Strategy.For) // the incident's options' map stays as it is
			if o.Strategy.For == nil {
				o.Strategy.For = map[string]string{}
			}
			for _, m := range o.Migrations.Migrations {
				if !sameVersionStr(m.Version, v) {
					continue
				}
				for i := range m.Up.Statements {
					k, n, err := run.ParseStrategyFor(fmt.Sprintf("%s#%d=%s", m.Version, i+1, name))
					if err != nil {
						return nil, err
					}
					o.Strategy.For[k] = n
					forced = append(forced, fmt.Sprintf("%s#%d", m.Version, i+1))
				}
			}
		}
		if len(forced) > 0 {
			changes = append(changes, fmt.Sprintf("the incident's migration applied with %s, statement by statement, heavy or not: %s (a statement %s cannot take runs as written; the report's statement says so)", name, strings.Join(forced, ", "), name))
		}
		if err := o.Strategy.Check(); err != nil {
			return nil, err
		}
		return changes, nil
	}, nil
}

func lwt(d time.Duration) string {
	if d == 0 {
		return "the server's"
	}
	return d.String()
}
