package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newDoctorCmd) }

type doctorOptions struct {
	io    *ioStreams
	JSON  bool
	Clean bool
	DSN   string // a dsn engine target: its scratch databases left by killed rehearsals
}

func newDoctorCmd(io *ioStreams) *cobra.Command {
	opts := &doctorOptions{io: io}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Tell which servers this machine can start, and how to get the missing ones",
		Long: `Check what the engines can use here: the Docker daemon (and through which host or
socket; DOCKER_HOST is honoured), the server images present on it, the mysqld and
mariadbd binaries on this machine and in the image roots that ` + "`make images`" + ` builds,
and which engine --engine auto would pick. Each missing piece comes with the command
that fixes it.

It also lists what killed rehearse processes left behind (containers and sandbox
folders whose owner process is gone, and any server still running from such a
folder); --clean removes them. With --dsn (or $REHEARSE_TARGET_DSN), it also lists the
scratch databases (rehearse_*) on that server whose owner is gone — each running
rehearsal holds a named lock of its database's name — and --clean drops them.`,
		Example: `  rehearse doctor
  rehearse doctor --json
  rehearse doctor --clean
  REHEARSE_TARGET_DSN='me:secret@tcp(staging:3306)/' rehearse doctor --clean`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return doctorRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the findings as JSON")
	cmd.Flags().BoolVar(&opts.Clean, "clean", false, "remove stale containers and sandbox folders whose owner process is gone (and, with --dsn, scratch databases no rehearse process holds)")
	cmd.Flags().StringVar(&opts.DSN, "dsn", "", "also look on this dsn engine target for rehearse_* scratch databases no running rehearse holds (default $REHEARSE_TARGET_DSN)")
	return cmd
}

// doctorReport is what `rehearse doctor --json` prints.
type doctorReport struct {
	Docker   engine.DockerInfo  `json:"docker"`
	Images   []engine.ImageInfo `json:"images"`
	Binaries []doctorBinary     `json:"binaries"`
	Targets  []doctorTarget     `json:"targets"`
	Auto     doctorChoice       `json:"auto"`
	Missing  []doctorFix        `json:"missing"`
	Cleaned  []string           `json:"cleaned,omitempty"`
	Stale    []string           `json:"stale,omitempty"` // left behind, not removed (without --clean)
	RootsDir string             `json:"roots_dir"`
}

type doctorBinary struct {
	Flavor  engine.Flavor `json:"flavor"`
	Version string        `json:"version"`
	Path    string        `json:"path"`
	Rootfs  string        `json:"rootfs,omitempty"`
}

// doctorTarget is one server the project rehearses against, and which
// engines can start it here.
type doctorTarget struct {
	Flavor  engine.Flavor `json:"flavor"`
	Version string        `json:"version"`
	Docker  string        `json:"docker,omitempty"` // the image present, if any
	Local   string        `json:"local,omitempty"`  // the binary, if any
}

type doctorChoice struct {
	Engine string `json:"engine"`
	Reason string `json:"reason"`
}

type doctorFix struct {
	What string `json:"what"`
	Fix  string `json:"fix"`
}

// doctorTargets are the servers `make images` and Debian provide.
var doctorTargets = []doctorTarget{
	{Flavor: engine.MariaDB, Version: "10.11"},
	{Flavor: engine.MariaDB, Version: "11.8"},
	{Flavor: engine.MySQL, Version: "9.7"},
}

func doctorRun(ctx context.Context, opts *doctorOptions) error {
	cfg := engineConfig(nil)
	rep := doctorReport{RootsDir: cfg.RootsDir}
	if opts.Clean {
		cleaned, err := doctorClean(ctx, cfg)
		rep.Cleaned = cleaned
		if err != nil {
			return err
		}
	}
	if !opts.Clean {
		rep.Stale = doctorStale(ctx, cfg)
	}
	if opts.DSN == "" {
		opts.DSN = os.Getenv(targetDSNEnv)
	}
	if opts.DSN != "" {
		db, where, err := engine.OpenTarget(ctx, opts.DSN)
		if err != nil {
			return rehearse.WithHint(fmt.Errorf("doctor --dsn: %w", err), "check the server in --dsn or $%s", targetDSNEnv)
		}
		defer db.Close()
		var names []string
		if opts.Clean {
			names, err = engine.DropStaleScratch(ctx, db)
		} else {
			names, err = engine.StaleScratch(ctx, db)
		}
		for _, n := range names {
			line := "scratch database " + n + " on " + where
			if opts.Clean {
				rep.Cleaned = append(rep.Cleaned, line)
			} else {
				rep.Stale = append(rep.Stale, line+" (no running rehearse holds it)")
			}
		}
		if err != nil {
			return fmt.Errorf("doctor --dsn: scratch databases on %s: %w", where, err)
		}
	}
	rep.Docker = engine.DockerStatus(ctx, cfg.DockerHost)
	if rep.Docker.Reachable {
		imgs, err := (&engine.Docker{Host: cfg.DockerHost}).Images(ctx)
		if err != nil {
			rep.Missing = append(rep.Missing, doctorFix{What: "list of images: " + err.Error(), Fix: "check the Docker daemon"})
		}
		rep.Images = imgs
	} else {
		rep.Missing = append(rep.Missing, doctorFix{What: "Docker daemon at " + rep.Docker.Host + " (" + firstLine(rep.Docker.Error) + ")", Fix: rep.Docker.Hint})
	}
	bins := engine.FindBinaries(ctx, "", "")
	for _, r := range engine.ImageRoots(cfg.RootsDir) {
		bins = append(bins, engine.FindBinaries(ctx, "", r.Path)...)
	}
	for _, b := range bins {
		rep.Binaries = append(rep.Binaries, doctorBinary{Flavor: b.Flavor, Version: b.Version, Path: b.Path, Rootfs: b.Rootfs})
	}
	for _, t := range doctorTargets {
		for _, im := range rep.Images {
			if im.Flavor == t.Flavor && engine.ShortVersion(im.Version) == t.Version && (t.Docker == "" || im.Local) {
				t.Docker = im.Ref
			}
		}
		if b, ok := engine.PickBinary(bins, t.Flavor, t.Version); ok {
			t.Local = b.String()
		}
		if rep.Docker.Reachable && t.Docker == "" {
			rep.Missing = append(rep.Missing, doctorFix{What: fmt.Sprintf("docker image for %s %s", t.Flavor, t.Version), Fix: "make images"})
		}
		if t.Local == "" {
			rep.Missing = append(rep.Missing, doctorFix{What: fmt.Sprintf("%s %s binary for the local engine", t.Flavor, t.Version), Fix: engine.InstallHint(t.Flavor, t.Version)})
		}
		rep.Targets = append(rep.Targets, t)
	}
	if _, err := exec.LookPath("debootstrap"); err != nil && hasMissing(rep.Missing, "make images") {
		rep.Missing = append(rep.Missing, doctorFix{What: "debootstrap (`make images` needs it)", Fix: "apt-get install debootstrap"})
	}
	rep.Auto = doctorAuto(ctx, cfg)

	if opts.JSON {
		enc := json.NewEncoder(opts.io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printDoctor(opts.io, rep, opts.Clean)
	return nil
}

// doctorAuto says which engine `--engine auto` picks for the default request.
func doctorAuto(ctx context.Context, cfg engine.Config) doctorChoice {
	eng, err := engine.New("auto", cfg)
	if err != nil {
		return doctorChoice{Engine: "none", Reason: err.Error()}
	}
	a, ok := eng.(*engine.Auto)
	if !ok {
		return doctorChoice{Engine: eng.Name()}
	}
	chosen, v := a.Choose(ctx, engine.Options{})
	if chosen.Name() == "docker" {
		return doctorChoice{Engine: "docker", Reason: v.Why}
	}
	reason := "docker: " + v.Why
	if b, ok := engine.PickBinary(engine.FindBinaries(ctx, "", ""), "", ""); ok {
		reason += "; local has " + b.String()
	} else {
		reason += "; and local has no server binary on this machine"
	}
	return doctorChoice{Engine: "local", Reason: reason}
}

// doctorStale lists what doctorClean would remove: stale containers,
// sandbox folders and the servers still running from them.
func doctorStale(ctx context.Context, cfg engine.Config) []string {
	var out []string
	if engine.DockerStatus(ctx, cfg.DockerHost).Reachable {
		found, err := (&engine.Docker{Host: cfg.DockerHost}).FindStale(ctx)
		for _, c := range found {
			out = append(out, "container "+c)
		}
		if err != nil {
			out = append(out, "containers: "+err.Error())
		}
	}
	folders, _ := engine.FindStaleLocal(ctx, engine.CleanLocalOptions{TempDirs: []string{os.TempDir()}, RootsDir: cfg.RootsDir, CacheDir: cfg.CacheDir})
	for _, f := range folders {
		s := fmt.Sprintf("folder %s (owner pid %d gone)", f.Path, f.Owner)
		if len(f.Servers) > 0 {
			s += fmt.Sprintf("; server process %v still running from it", f.Servers)
		}
		out = append(out, s)
	}
	if c, _ := dataCache(false, nil); c != nil { // data cache entries left half-built by killed processes
		for _, f := range c.FindStale() {
			out = append(out, "folder "+f+" (a data cache entry left half-built; owner gone)")
		}
	}
	return out
}

// doctorClean removes stale containers and sandbox folders.
func doctorClean(ctx context.Context, cfg engine.Config) ([]string, error) {
	var cleaned []string
	var dockerErr error // the folders are cleaned whatever the daemon said
	if engine.DockerStatus(ctx, cfg.DockerHost).Reachable {
		var removed []string
		removed, dockerErr = (&engine.Docker{Host: cfg.DockerHost}).CleanStale(ctx)
		for _, r := range removed {
			cleaned = append(cleaned, "container "+r)
		}
	}
	removed, err := engine.CleanStaleLocal(ctx, engine.CleanLocalOptions{TempDirs: []string{os.TempDir()}, RootsDir: cfg.RootsDir, CacheDir: cfg.CacheDir})
	if c, _ := dataCache(false, nil); c != nil { // data cache entries left half-built by killed processes
		removed = append(removed, c.CleanStale()...)
	}
	for _, r := range removed {
		cleaned = append(cleaned, "folder "+r)
	}
	return cleaned, errors.Join(dockerErr, err)
}

func printDoctor(io *ioStreams, rep doctorReport, clean bool) {
	w := io.Out
	if clean {
		if len(rep.Cleaned) == 0 {
			fmt.Fprintln(w, "Clean:    nothing stale")
		}
		for i, c := range rep.Cleaned {
			fmt.Fprintf(w, "%-10s%s\n", map[bool]string{true: "Cleaned:", false: ""}[i == 0], c)
		}
	}
	if !clean {
		if len(rep.Stale) == 0 {
			fmt.Fprintln(w, "Stale:    nothing left behind by killed rehearse processes")
		}
		for i, s := range rep.Stale {
			fmt.Fprintf(w, "%-10s%s\n", map[bool]string{true: "Stale:", false: ""}[i == 0], s)
		}
		if len(rep.Stale) > 0 {
			fmt.Fprintln(w, "          remove them with: rehearse doctor --clean")
		}
	}
	d := rep.Docker
	if d.Reachable {
		fmt.Fprintf(w, "Docker:   reachable at %s (server %s, API %s)\n", d.Host, d.ServerVersion, d.APIVersion)
	} else {
		fmt.Fprintf(w, "Docker:   not reachable at %s: %s\n", d.Host, firstLine(d.Error))
	}
	switch {
	case !d.Reachable:
	case len(rep.Images) == 0:
		fmt.Fprintln(w, "Images:   no MySQL or MariaDB image on the daemon")
	default:
		for i, im := range rep.Images {
			kind := "pulled"
			if im.Local {
				kind = "built by make images"
			}
			fmt.Fprintf(w, "%-10s%s (%s %s, %s)\n", map[bool]string{true: "Images:", false: ""}[i == 0], im.Ref, im.Flavor, im.Version, kind)
		}
	}
	if len(rep.Binaries) == 0 {
		fmt.Fprintln(w, "Binaries: no mysqld or mariadbd on this machine or in "+rep.RootsDir)
	}
	for i, b := range rep.Binaries {
		where := "host"
		if b.Rootfs != "" {
			where = "root " + b.Rootfs
		}
		fmt.Fprintf(w, "%-10s%-8s %-9s %s (%s)\n", map[bool]string{true: "Binaries:", false: ""}[i == 0], b.Flavor, b.Version, b.Path, where)
	}
	for i, t := range rep.Targets {
		var by []string
		if t.Docker != "" {
			by = append(by, "docker ("+t.Docker+")")
		}
		if t.Local != "" {
			by = append(by, "local")
		}
		if len(by) == 0 {
			by = []string{"not available"}
		}
		fmt.Fprintf(w, "%-10s%-8s %-9s %s\n", map[bool]string{true: "Servers:", false: ""}[i == 0], t.Flavor, t.Version, strings.Join(by, ", "))
	}
	fmt.Fprintf(w, "Auto:     %s (%s)\n", rep.Auto.Engine, rep.Auto.Reason)
	if len(rep.Missing) == 0 {
		fmt.Fprintln(w, "Missing:  nothing; every engine and server is available")
		return
	}
	fmt.Fprintln(w, "Missing:")
	for _, m := range rep.Missing {
		fmt.Fprintf(w, "  - %s\n      fix: %s\n", m.What, m.Fix)
	}
}

func hasMissing(fixes []doctorFix, sub string) bool {
	for _, f := range fixes {
		if strings.Contains(f.Fix, sub) {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
