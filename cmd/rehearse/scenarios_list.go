package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/scenarios"
)

// rehearse scenarios list

type scenariosListOptions struct {
	io   *ioStreams
	JSON bool
}

func newScenariosListCmd(io *ioStreams) *cobra.Command {
	opts := &scenariosListOptions{io: io}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the scenarios: name, story, default scale, expected outcome",
		Example: "  rehearse scenarios list\n  rehearse scenarios list --json | jq -r '.[].name'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return scenariosListRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the list as JSON")
	return cmd
}

// scenarioJSON is the --json shape of one scenario.
type scenarioJSON struct {
	Name         string        `json:"name"`
	Order        int           `json:"order"`
	Title        string        `json:"title"`
	Story        string        `json:"story"`
	DefaultScale float64       `json:"default_scale"`
	CIScale      float64       `json:"ci_scale"`
	Flagship     bool          `json:"flagship,omitempty"`
	Sources      []string      `json:"sources"`
	Variants     []variantJSON `json:"variants"`
}

type variantJSON struct {
	Name    string `json:"name"`
	Summary string `json:"summary"`
	Outcome string `json:"expected_outcome"`
}

func toScenarioJSON(s *scenarios.Scenario) scenarioJSON {
	j := scenarioJSON{Name: s.Name, Order: s.Order, Title: s.Title, Story: s.Story, DefaultScale: s.DefaultScale,
		CIScale: s.CIScale, Flagship: s.Flagship, Sources: s.Sources}
	for _, v := range s.Variants {
		j.Variants = append(j.Variants, variantJSON{Name: v.Name, Summary: v.Summary, Outcome: v.Outcome})
	}
	return j
}

func scenariosListRun(opts *scenariosListOptions) error {
	out := opts.io.Out
	if opts.JSON {
		var list []scenarioJSON
		for _, s := range scenarios.All() {
			list = append(list, toScenarioJSON(s))
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	for i, s := range scenarios.All() {
		if i > 0 {
			fmt.Fprintln(out)
		}
		flag := ""
		if s.Flagship {
			flag = "  (flagship: make demo)"
		}
		fmt.Fprintf(out, "%d  %s   default scale %s%s\n", s.Order, s.Name, fmtScale(s.DefaultScale), flag)
		writeWrapped(out, "   ", s.Story)
		for _, v := range s.Variants {
			fmt.Fprintf(out, "   %-8s %s\n", v.Name, v.Outcome)
		}
	}
	return nil
}
