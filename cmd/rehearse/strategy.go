package main

import (
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse/migrations"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

// The flags that say how heavy statements are applied, shared by run and
// compare (--strategy is run's, --strategies compare's).
func (o *runOptions) addStrategyFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringArrayVar(&o.StrategyFor, "strategy-for", nil, "apply one statement with a strategy, heavy or not: `VERSION#N=NAME` (the N-th statement of migration VERSION; repeatable)")
	o.addToolFlags(cmd)
}

// addToolFlags adds the flags that configure the strategies' tools
// (reproduce's --fix strategy= uses them too).
func (o *runOptions) addToolFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&o.OSCCmd, "osc-cmd", "", "the cmd strategy's command, run by sh with placeholders replaced (each quoted): "+oscPlaceholders()+"; e.g. 'gh-ost --host={host} --port={port} --user={user} --password={password} --database={database} --table={table} --alter={alter} --allow-on-master --execute'")
	fs.StringArrayVar(&o.PTOSCArgs, "pt-osc-arg", nil, "one more option for pt-online-schema-change, e.g. --pt-osc-arg=--chunk-time=1 or --pt-osc-arg=--set-vars=explain_format=TRADITIONAL,lock_wait_timeout=5 (repeatable; a --set-vars replaces rehearse's lock_wait_timeout)")
}

func oscPlaceholders() string {
	var ks []string
	for k := range rehearsal.OSCPlaceholders {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}

// strategy builds the rehearsal's strategy options from the flags.
func (o *runOptions) strategy() (rehearsal.StrategyOptions, error) {
	s := rehearsal.StrategyOptions{Name: o.Strategy, Command: o.OSCCmd, PTOSCArgs: o.PTOSCArgs,
		Env: migrations.CommandEnv(os.Environ(), nil)}
	for _, f := range o.StrategyFor {
		k, v, err := rehearsal.ParseStrategyFor(f)
		if err != nil {
			return s, usageError{err}
		}
		if s.For == nil {
			s.For = map[string]string{}
		}
		s.For[k] = v
	}
	if err := s.Check(); err != nil {
		return s, usageError{err}
	}
	return s, nil
}
