package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/redact"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

func init() { subcommands = append(subcommands, newLoadProfileCmd) }

// loadProfileOptions hold `rehearse load-profile`'s flags: the subset of
// `rehearse run`'s that decide the load (parsed by runOptions.buildInputs,
// so the profile written is the one the run would use), and the output.
type loadProfileOptions struct {
	run    *runOptions
	Output string
}

// A command of its own rather than a `run --write-load-profile` flag: the
// profile needs no server, so writing it should not start one (a flag on
// run would either rehearse for minutes to produce a file or make run not
// run), and like `rehearse plan` it is a quick, read-only look at what a
// rehearsal will do.
func newLoadProfileCmd(io *ioStreams) *cobra.Command {
	return loadProfileCommand(&loadProfileOptions{run: &runOptions{io: io}})
}

// loadProfileCommand is `rehearse load-profile` writing its flags into o.
func loadProfileCommand(o *loadProfileOptions) *cobra.Command {
	ro := o.run
	cmd := &cobra.Command{
		Use:   "load-profile --snapshot FILE --migrations DIR",
		Short: "Write the load profile a rehearsal would run, as a file to edit",
		Long: `Write the simulated application's workload that ` + "`rehearse run`" + ` would put on the
sandbox with the same flags, as a load profile (rehearse.load-profile/v1, YAML,
docs/load-profile.md): production's statement mix from the snapshot's workload
digests when it has them, else the default mix on the tables the release touches and
the largest others; the rate and the connections per table. Edit it (the rate, the
weights, the tables, which columns an update sets) and pass it back with
` + "`rehearse run --load-profile FILE`" + ` or load.profile in rehearse.yaml.

With --load-profile it checks that profile against the snapshot (every table and
column must exist) and writes it back with the rate the run would use.
No server is started. Exit code 0 when written, 2 when the inputs are wrong.`,
		Example: `  rehearse load-profile --snapshot prod.json --migrations ./migrations -o load.yaml
  rehearse load-profile --config rehearse.yaml --load 800 > load.yaml
  rehearse load-profile --snapshot prod.json --migrations ./migrations --load-profile load.yaml   # check an edited one
  rehearse run --snapshot prod.json --migrations ./migrations --load-profile load.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ro.changed = cmd.Flags().Changed
			return loadProfileRun(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	addInputFlags(fs, &ro.inputFlags, inputUsage{})
	addRehearsalFlags(fs, &ro.rehearsalFlags, "load", "load-profile")
	fs.StringVarP(&o.Output, "output", "o", "", "write the profile to `FILE` (default: standard output)")
	return cmd
}

func loadProfileRun(ctx context.Context, o *loadProfileOptions) error {
	if err := checkOutFile("-o", o.Output); err != nil {
		return err
	}
	ropts, _, err := o.run.buildInputs()
	if err != nil {
		return err
	}
	f, source, err := rehearsal.LoadProfile(ctx, ropts)
	if err != nil {
		return err
	}
	b, err := f.YAML(strings.Join([]string{
		"rehearse load profile (docs/load-profile.md): what the simulated application does",
		"during the deploy. From " + source + ".",
		"Edit it, then: rehearse run ... --load-profile FILE (--load wins over rate:).",
		"kind: insert | update-by-pk | delete-by-pk | point-read; or statement: with ? placeholders.",
	}, "\n"))
	if err != nil {
		return err
	}
	if o.Output == "" {
		_, err = o.run.io.Out.Write([]byte(redact.String(string(b))))
		return err
	}
	if err := redact.WriteFile(o.Output, b, redact.Perm); err != nil {
		return rehearse.WithHint(err, "give -o a file in a folder that exists and you can write to")
	}
	fmt.Fprintf(o.run.io.ErrOut, "rehearse: load profile from %s: %d operations, %g ops/s, written to %s\n", source, len(f.Operations), f.Rate, o.Output)
	return nil
}
