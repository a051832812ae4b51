package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

// rehearsalFlags say how a rehearsal runs: its data (--scale, --seed,
// --rows), its load (--load, --load-profile, --baseline), what it checks
// (--app-compat-window, --lock-wait-timeout, --gate, --inject,
// --no-rollback) and whether it uses the data cache (--no-cache). run,
// compare, reproduce, capacity and load-profile register the ones that
// apply to them with addRehearsalFlags, so each flag has one name, one
// help text and one default wherever it appears; a command that needs
// another default says so with changeDefault, in the open.
type rehearsalFlags struct {
	Scale           float64
	Seed            int64
	Rows            []string
	Load            float64
	LoadProfile     string
	Baseline        time.Duration
	AppCompat       time.Duration
	LockWaitTimeout time.Duration
	Inject          []string
	Gates           []string
	NoRollback      bool
	NoCache         bool // restore and generate even when the data cache holds the data (cache.go)
}

// rowsUsage is --rows' help, for every command that generates rows (run,
// compare, sandbox, generate).
const rowsUsage = "row count for one table, `table=N` or schema.table=N (repeatable; not scaled: wins over --scale for that table)"

// addRehearsalFlags registers the named rehearsal flags on fs; a name it
// does not know is a programming error (every test that builds the command
// tree finds it).
func addRehearsalFlags(fs *pflag.FlagSet, f *rehearsalFlags, names ...string) {
	for _, n := range names {
		switch n {
		case "scale":
			fs.Float64Var(&f.Scale, n, rehearsal.DefaultScale, "fraction of production's row counts to generate")
		case "seed":
			fs.Int64Var(&f.Seed, n, 1, "seed for the synthetic data and the load (the same seed gives the same rows)")
		case "rows":
			fs.StringArrayVar(&f.Rows, n, nil, rowsUsage)
		case "load":
			fs.Float64Var(&f.Load, n, rehearsal.DefaultLoadRate, "simulated application load in operations per second (wins over the load profile's rate; without either, this default)")
		case "load-profile":
			fs.StringVar(&f.LoadProfile, n, "", "what the simulated application does: a load profile `FILE` (docs/load-profile.md; write one to edit with rehearse load-profile)")
		case "baseline":
			fs.DurationVar(&f.Baseline, n, rehearsal.DefaultBaseline, "load before the first migration, the latency baseline")
		case "app-compat-window":
			fs.DurationVar(&f.AppCompat, n, rehearsal.DefaultAppCompat, "how long the previous app's statements run against the new schema")
		case "lock-wait-timeout":
			fs.DurationVar(&f.LockWaitTimeout, n, 0, "lock_wait_timeout for each migration statement and a strategy's tool (default: the snapshot's setting, production's)")
		case "inject":
			fs.StringArrayVar(&f.Inject, n, nil, "inject a fault: long-txn=TABLE:DURATION[@VERSION[#N]][,lead=LEAD] or fail-at=VERSION:N (repeatable)")
		case "gate":
			fs.StringArrayVar(&f.Gates, n, nil, "a gate `NAME=LIMIT`, e.g. max-writer-stall=2s, max-p99=3x, rollback=required, app-compat=off (repeatable; replaces the default of that name)")
		case "no-rollback":
			fs.BoolVar(&f.NoRollback, n, false, "skip the downs")
		case "no-cache":
			fs.BoolVar(&f.NoCache, n, false, noCacheUsage)
		default:
			panic("addRehearsalFlags: no rehearsal flag --" + n)
		}
	}
}

// defaultAnnotation marks a flag whose default a command changed with
// changeDefault; its value says why (TestFlagsOneDefinition accepts the
// other default only with it).
const defaultAnnotation = "rehearse-default"

// changeDefault gives an already registered flag another default on this
// command, for the reason why. A note, when given, is added to the help
// for a default the value alone does not say (e.g. 0 meaning "the
// evidence's rate").
func changeDefault(fs *pflag.FlagSet, name, value, why, note string) {
	f := fs.Lookup(name)
	if f == nil {
		panic("changeDefault: no flag --" + name)
	}
	if err := f.Value.Set(value); err != nil {
		panic(fmt.Sprintf("changeDefault: --%s %s: %v", name, value, err))
	}
	f.DefValue = f.Value.String()
	if note != "" {
		f.Usage += " (default: " + note + ")"
	}
	_ = fs.SetAnnotation(name, defaultAnnotation, []string{why, note})
}
