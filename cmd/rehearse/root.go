package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/redact"
)

// Set by the linker (-X main.version=...); falls back to build info.
var (
	version = ""
	commit  = ""
)

// execute runs the command tree with args and returns the exit code (main
// passes it to os.Exit).
func execute(ctx context.Context, io *ioStreams, args []string) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil {
		if _, ok := err.(usageError); ok || isCobraUsageError(err) {
			hint := ""
			if h := rehearse.Hint(err); h != "" {
				hint = "Try: " + redact.String(h) + "\n"
			}
			fmt.Fprintf(io.ErrOut, "rehearse: %s\n%s\n%s", redact.String(err.Error()), hint, cmd.UsageString())
			return exitError
		}
		// A command that fails after an interrupt failed because of it
		// (a server start cut short says "exited", a search for binaries
		// "none found"): say so.
		if errors.Is(ctx.Err(), context.Canceled) && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w (%v)", context.Canceled, err)
		}
		printError(io.ErrOut, err)
		return exitCode(err)
	}
	return exitOK
}

func isCobraUsageError(err error) bool {
	// cobra's own flag and argument errors are plain errors from pflag/cobra.
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "accepts ", "requires at least", "flag needs an argument", "invalid argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRootCmd(io *ioStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "rehearse",
		Short: "Rehearse a release's database migrations before they reach production",
		Long: `rehearse snapshots production's schema, migration history and statistics (never
its rows), starts a throwaway MySQL or MariaDB server of the same flavor and version,
fills it with production-scale synthetic data, replays the release's pending migrations
under write load, and reports lock waits, blocked writers, latency impact and whether
the way back works.

Exit codes: 0 passed, 1 a gate failed or drift was found, 2 the command could not run.`,
		Example: `  # what can run here
  rehearse doctor
  # production's picture (read-only), then what the release will do
  REHEARSE_SOURCE_DSN='reader:secret@tcp(db:3306)/' rehearse snapshot --databases app -o prod.json
  rehearse plan --snapshot prod.json --migrations ./migrations
  # the rehearsal, with reports for CI
  rehearse run --snapshot prod.json --migrations ./migrations --scale 0.1 --out-dir out --format table,md,junit,html,json
  # drift between environments
  rehearse diff prod.json staging.json --migrations ./migrations
  # the incident library
  rehearse scenarios run unique-index-rerun`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	// rehearse --version says what rehearse version says (the subcommands'
	// --version is the server's, engineflags.go).
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(newVersionCmd(io))
	for _, add := range subcommands {
		root.AddCommand(add(io))
	}
	return root
}

// subcommands are registered by the files that define them (init), so each
// command lives in its own file.
var subcommands []func(*ioStreams) *cobra.Command

func newVersionCmd(io *ioStreams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print version, commit and Go version",
		Example: "  rehearse version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(io.Out, versionLine())
			return nil
		},
	}
}

// versionLine is what rehearse version and rehearse --version print.
func versionLine() string {
	v, c := buildVersion()
	return fmt.Sprintf("rehearse %s (commit %s, %s %s/%s)", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// toolName is "rehearse VERSION", what every document the command writes
// names as its tool.
func toolName() string {
	v, _ := buildVersion()
	return "rehearse " + v
}

// buildVersion is the one source of the version and commit: the linker's
// (make build: -X main.version, -X main.commit), else the module's build
// information, else "dev" and "unknown".
func buildVersion() (string, string) {
	v, c := version, commit
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && c == "" {
				c = s.Value
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	if c == "" {
		c = "unknown"
	}
	if len(c) > 12 {
		c = c[:12]
	}
	return v, c
}
