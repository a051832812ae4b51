package main

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot"
)

// rehearse scenarios show

type scenariosShowOptions struct {
	io   *ioStreams
	Name string
	variantFlags
}

func newScenariosShowCmd(io *ioStreams) *cobra.Command {
	opts := &scenariosShowOptions{io: io}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a scenario: story, schema, migrations, injected faults, what to look for",
		Example: `  rehearse scenarios show unique-index-rerun
  rehearse scenarios show mdl-pileup --fixed
  rehearse scenarios show cherry-picked-migration --variant staging`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return scenariosShowRun(opts)
		},
	}
	addVariantFlags(cmd.Flags(), &opts.variantFlags)
	return cmd
}

func scenariosShowRun(opts *scenariosShowOptions) error {
	s, v, err := lookupScenario(opts.Name, opts.variantFlags)
	if err != nil {
		return err
	}
	cfg, err := s.Config(v.Name)
	if err != nil {
		return err
	}
	out := opts.io.Out
	fmt.Fprintf(out, "%s: %s\n\n", s.Name, s.Title)
	writeWrapped(out, "", "Story: "+s.Story+".")
	fmt.Fprintln(out)
	writeWrapped(out, "", "The incident: "+s.Incident)
	for _, src := range s.Sources {
		fmt.Fprintf(out, "  %s\n", src)
	}
	fmt.Fprintf(out, "\nVariants (default scale %s of production's rows):\n", fmtScale(s.DefaultScale))
	for _, x := range s.Variants {
		mark := " "
		if x.Name == v.Name {
			mark = "*"
		}
		fmt.Fprintf(out, " %s %-8s %s\n", mark, x.Name, x.Summary)
		fmt.Fprintf(out, "   %-8s expected: %s\n", "", x.Outcome)
	}

	snapData, err := s.ReadFile(cfg.Snapshot)
	if err != nil {
		return err
	}
	snap, err := snapshot.Load(bytes.NewReader(snapData), path.Join(s.Name, cfg.Snapshot))
	if err != nil {
		return err
	}
	applied := historyVersion(snap)
	fmt.Fprintf(out, "\nSchema (%s: %s %s, migration history at %s):\n", cfg.Snapshot, snap.Source.Flavor, snap.Source.Version, applied)
	for _, sc := range snap.Schemas {
		for _, t := range sc.Tables {
			if isHistoryTable(snap, sc.Name, t.Name) {
				continue
			}
			fmt.Fprintf(out, "\n  -- %s.%s: %s rows in production\n", sc.Name, t.Name, mysqlkit.Thousands(t.Stats.RowCount()))
			writeIndented(out, "  ", t.CreateSQL+";")
		}
	}

	files, err := s.MigrationFiles(v.Name)
	if err != nil {
		return err
	}
	done := appliedFiles(snap, files)
	fmt.Fprintf(out, "\nMigrations (%s/, golang-migrate):\n", cfg.Migrations)
	for _, f := range upsFirst(files) {
		if done[fileKey(f)] {
			if strings.HasSuffix(f, ".up.sql") {
				fmt.Fprintf(out, "  %s  (applied in production)\n", f)
			}
			continue
		}
		body, err := s.ReadFile(path.Join(cfg.Migrations, f))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n  %s  (pending)\n", f)
		writeIndented(out, "    ", strings.TrimSpace(string(body)))
	}

	fmt.Fprintf(out, "\nRehearsal (%s): scale %s, load %s ops/s, baseline %s", v.Config, fmtScale(cfg.Scale), strconv.FormatFloat(cfg.Load.Rate, 'f', -1, 64), cfg.Load.Baseline)
	if cfg.LockWaitTimeout != "" {
		fmt.Fprintf(out, ", lock_wait_timeout %s", cfg.LockWaitTimeout)
	} else {
		fmt.Fprintf(out, ", lock_wait_timeout production's (%s s)", snap.Settings["lock_wait_timeout"])
	}
	fmt.Fprintln(out)
	if len(cfg.Inject) == 0 {
		fmt.Fprintln(out, "Injected faults: none")
	} else {
		fmt.Fprintf(out, "Injected faults: %s\n", strings.Join(cfg.Inject, ", "))
	}
	if len(cfg.Gates) > 0 {
		var gates []string
		for _, name := range sortedNames(cfg.Gates) {
			gates = append(gates, name+"="+cfg.Gates[name])
		}
		fmt.Fprintf(out, "Gates: %s\n", strings.Join(gates, ", "))
	}
	fmt.Fprintln(out, "\nWhat to look for in the report:")
	for _, l := range s.Look {
		writeWrapped(out, "  - ", l)
	}
	exp, err := s.Expectations(v.Name)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nExpectations (%s, checked by `rehearse scenarios run`):\n", v.Name)
	writeIndented(out, "  ", strings.TrimRight(exp.String(), "\n"))
	return nil
}

// upsFirst orders migration files by version, each up before its down.
func upsFirst(files []string) []string {
	out := append([]string(nil), files...)
	sort.SliceStable(out, func(i, j int) bool {
		vi, _, _ := strings.Cut(out[i], "_")
		vj, _, _ := strings.Cut(out[j], "_")
		if vi != vj {
			return migrations.VersionLess(vi, vj)
		}
		return strings.HasSuffix(out[i], ".up.sql") && !strings.HasSuffix(out[j], ".up.sql")
	})
	return out
}

// historyVersion is the newest version the snapshot's history holds.
func historyVersion(snap *snapshot.Snapshot) string {
	best := ""
	for _, h := range snap.History {
		for _, e := range h.Entries {
			if migrations.VersionLess(best, e.Version) {
				best = e.Version
			}
		}
	}
	return best
}

func isHistoryTable(snap *snapshot.Snapshot, schema, table string) bool {
	for _, h := range snap.History {
		if h.Schema == schema && h.Table == table {
			return true
		}
	}
	return false
}

// scenarioFormat is the format of every scenario's migrations folder.
const scenarioFormat = "golang-migrate"

// fileKey is a golang-migrate file's history key.
func fileKey(file string) string {
	v, _, _ := strings.Cut(file, "_")
	f, err := migrations.Lookup(scenarioFormat)
	if err != nil {
		return v
	}
	return f.HistoryKey(v, "")
}

// appliedFiles is the keys of the scenario's migrations that production's
// history records as applied: migrations.AppliedBy, the answer plan and
// run give.
func appliedFiles(snap *snapshot.Snapshot, files []string) map[string]bool {
	set := &migrations.Set{Format: scenarioFormat}
	seen := map[string]bool{}
	for _, f := range files {
		if k := fileKey(f); !seen[k] {
			seen[k] = true
			set.Migrations = append(set.Migrations, migrations.Migration{Key: k, Version: k})
		}
	}
	out := map[string]bool{}
	for k := range migrations.AppliedBy(set, migrations.HistoryOf(snap, scenarioFormat)).Entries {
		out[k] = true
	}
	return out
}
