package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rehearse/rehearse/scenarios"
)

func init() { subcommands = append(subcommands, newScenariosCmd) }

func newScenariosCmd(io *ioStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "The incident library: classic migration disasters as runnable rehearsals",
		Long: `The incident library ships the classic MySQL/MariaDB migration disasters as
runnable, self-checking rehearsals: each scenario holds production's snapshot, the
migrations (an unsafe variant and a fixed one), the load, the injected faults and the
expectations the report must meet.`,
		Example: `  rehearse scenarios list
  rehearse scenarios show mdl-pileup
  rehearse scenarios run unique-index-rerun
  rehearse scenarios run mdl-pileup --fixed --scale 0.002
  rehearse scenarios export half-applied-migration ./repro`,
	}
	cmd.AddCommand(newScenariosListCmd(io), newScenariosShowCmd(io), newScenariosExportCmd(io), newScenariosRunCmd(io))
	return cmd
}

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func fmtScale(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// writeWrapped writes text wrapped at 100 columns, the first line after
// prefix and the others indented to match.
func writeWrapped(w io.Writer, prefix, text string) {
	const width = 100
	pad := strings.Repeat(" ", len([]rune(prefix)))
	line := prefix
	for _, word := range strings.Fields(text) {
		if len([]rune(line))+1+len([]rune(word)) > width && strings.TrimSpace(line) != strings.TrimSpace(prefix) {
			fmt.Fprintln(w, strings.TrimRight(line, " "))
			line = pad
		}
		if line != prefix && line != pad {
			line += " "
		}
		line += word
	}
	fmt.Fprintln(w, strings.TrimRight(line, " "))
}

func writeIndented(w io.Writer, indent, text string) {
	for _, l := range strings.Split(text, "\n") {
		fmt.Fprintln(w, strings.TrimRight(indent+l, " "))
	}
}

// lookupScenario finds the library's scenario and the variant --variant
// and --fixed ask for (show, export and run read them alike; "" is the
// unsafe one).
func lookupScenario(name string, f variantFlags) (*scenarios.Scenario, *scenarios.Variant, error) {
	s, err := scenarios.Get(name)
	if err != nil {
		return nil, nil, err
	}
	vname, err := variantFlag(f.Variant, f.Fixed)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.Variant(vname)
	if err != nil {
		return nil, nil, err
	}
	return s, v, nil
}

// variantFlags choose a scenario's variant (scenarios show, export, run).
type variantFlags struct {
	Variant string
	Fixed   bool
}

// addVariantFlags registers --variant and --fixed.
func addVariantFlags(fs *pflag.FlagSet, v *variantFlags) {
	fs.BoolVar(&v.Fixed, "fixed", false, "the fixed variant (same as --variant fixed)")
	fs.StringVar(&v.Variant, "variant", "", "the variant: unsafe (default), fixed, or another the scenario names")
}

// variantFlag is the variant name --variant and --fixed ask for.
func variantFlag(variant string, fixed bool) (string, error) {
	if fixed && variant != "" && variant != scenarios.Fixed {
		return "", usageError{fmt.Errorf("--fixed and --variant %s contradict each other", variant)}
	}
	if fixed {
		return scenarios.Fixed, nil
	}
	return variant, nil
}
