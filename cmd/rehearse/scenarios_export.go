package main

import (
	"fmt"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/scenarios"
)

// rehearse scenarios export

type scenariosExportOptions struct {
	io   *ioStreams
	Name string
	Dir  string
	variantFlags
	Force  bool
	Flavor string
}

func newScenariosExportCmd(io *ioStreams) *cobra.Command {
	opts := &scenariosExportOptions{io: io}
	cmd := &cobra.Command{
		Use:   "export NAME DIR",
		Short: "Write a scenario's snapshot, migrations and rehearse.yaml to start your own reproduction",
		Example: `  rehearse scenarios export mdl-pileup ./repro && cd repro && rehearse run --config rehearse.yaml
  rehearse scenarios export column-type-copy ./fixed --fixed`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name, opts.Dir = args[0], args[1]
			if err := checkOutDir("export folder", opts.Dir); err != nil {
				return err
			}
			return scenariosExportRun(opts)
		},
	}
	addVariantFlags(cmd.Flags(), &opts.variantFlags)
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace a previous export in DIR: its files (listed in DIR/"+scenarios.ManifestName+") are overwritten or removed, the rest of DIR is left alone; refused when DIR holds anything else in the way")
	cmd.Flags().StringVar(&opts.Flavor, "flavor", "mariadb", "the server you will rehearse on: mariadb (snapshots captured from MariaDB 10.11) or mysql (from MySQL 9.7)")
	return cmd
}

func scenariosExportRun(opts *scenariosExportOptions) error {
	s, v, err := lookupScenario(opts.Name, opts.variantFlags)
	if err != nil {
		return err
	}
	if opts.Flavor != "mariadb" && opts.Flavor != "mysql" {
		return usageError{fmt.Errorf("--flavor %q: use mariadb or mysql", opts.Flavor)}
	}
	res, err := scenarios.Export(s, scenarios.ExportOptions{Variant: v.Name, Dir: opts.Dir, Force: opts.Force, Flavor: opts.Flavor})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.io.ErrOut, "rehearse: wrote %d files of scenario %s to %s\n", len(res.Files), s.Name, res.Dir)
	if len(res.Removed) > 0 {
		fmt.Fprintf(opts.io.ErrOut, "rehearse: removed %d files of the previous export: %s\n", len(res.Removed), strings.Join(res.Removed, ", "))
	}
	for _, f := range res.Files {
		fmt.Fprintln(opts.io.Out, path.Join(res.Dir, f))
	}
	fmt.Fprintf(opts.io.ErrOut, "Next: cd %s && rehearse run --config rehearse.yaml\n", res.Dir)
	return nil
}
