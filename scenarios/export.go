package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/rehearse/rehearse/rehearse/redact"
)

// ExportOptions say what Export writes where.
type ExportOptions struct {
	// Variant to export ("" = unsafe).
	Variant string
	// Flavor of the server the user will rehearse on: "mysql" exports the
	// snapshots captured from MySQL; "" or "mariadb" those from MariaDB.
	Flavor string
	// Dir is created when missing. Export refuses to overwrite a file
	// unless Force is set; Force replaces a previous export (the files its
	// manifest lists, unchanged since) and refuses a folder that holds
	// anything else in the way.
	Dir   string
	Force bool
}

// Exported lists what Export wrote, relative to the folder.
type Exported struct {
	Dir        string
	Config     string // "rehearse.yaml"
	Snapshot   string // "snapshot.json"
	Migrations string // "migrations"
	Files      []string
	// Removed are the previous export's files this one does not write,
	// removed by --force (the manifest, ManifestName, lists what an
	// export wrote).
	Removed []string
}

// Export writes a scenario variant as a folder a user can start their own
// reproduction from: the variant's snapshot as snapshot.json (other
// snapshots of the scenario keep their names, e.g. staging.json), its
// migrations as migrations/, its rehearse.yaml pointing at them, the
// expectations (expect.yaml) and a README.md, plus a manifest of what it
// wrote (ManifestName). Nothing is written when a file would be
// overwritten and Force is not set, nor when Force would replace or leave
// behind anything but the previous export's own files; on error, files
// already written are removed again.
func Export(s *Scenario, opts ExportOptions) (res *Exported, err error) {
	v, err := s.Variant(opts.Variant)
	if err != nil {
		return nil, err
	}
	cfg, err := s.Config(v.Name)
	if err != nil {
		return nil, err
	}
	plan := map[string][]byte{} // relative output path -> content
	snapFile, err := s.SnapshotFile(v.Name, opts.Flavor)
	if err != nil {
		return nil, err
	}
	snap, err := s.ReadFile(snapFile)
	if err != nil {
		return nil, err
	}
	plan["snapshot.json"] = snap
	for _, f := range s.Extra {
		src := f
		if strings.HasSuffix(f, ".json") {
			src = flavorFile(f, opts.Flavor)
		}
		b, err := s.ReadFile(src)
		if err != nil {
			return nil, err
		}
		plan[f] = b
	}
	migs, err := s.MigrationFiles(v.Name)
	if err != nil {
		return nil, err
	}
	for _, m := range migs {
		b, err := s.ReadFile(path.Join(cfg.Migrations, m))
		if err != nil {
			return nil, err
		}
		plan[path.Join("migrations", m)] = b
	}
	yml, err := s.ReadFile(v.Config)
	if err != nil {
		return nil, err
	}
	header := fmt.Sprintf("# Exported by `rehearse scenarios export %s` (%s). Run: rehearse run --config rehearse.yaml\n", s.Name, v.Name)
	plan["rehearse.yaml"] = append([]byte(header), rewritePaths(yml, "snapshot.json", "migrations")...)
	exp, err := s.Expectations(v.Name)
	if err != nil {
		return nil, err
	}
	plan["expect.yaml"] = []byte(fmt.Sprintf("# What the scenario %s (%s) expects in the report.\n%s:\n%s", s.Name, v.Name, v.Name, indentExpect(exp)))
	plan["README.md"] = []byte(readme(s, v))

	if opts.Dir == "" {
		return nil, errors.New("export: no folder given")
	}
	stale, prev, err := replaceable(s.Name, opts.Dir, plan, opts.Force)
	if err != nil {
		return nil, err
	}
	res = &Exported{Dir: opts.Dir, Config: "rehearse.yaml", Snapshot: "snapshot.json", Migrations: "migrations"}
	written := map[string]string{} // relative path -> sha256 as written
	var created []string
	createdDir := false
	if _, err := os.Stat(opts.Dir); errors.Is(err, fs.ErrNotExist) {
		createdDir = true
	}
	defer func() {
		if err == nil {
			return
		}
		// Files this export created go again; files of the previous
		// export it overwrote stay, and its manifest says so.
		for _, p := range created {
			_ = os.Remove(p)
		}
		for _, sub := range []string{"migrations", "next"} {
			_ = os.Remove(filepath.Join(opts.Dir, sub)) // only when empty
		}
		if createdDir {
			_ = os.Remove(opts.Dir)
		}
		if prev != nil {
			for rel, d := range written {
				if _, ok := prev.Files[rel]; ok {
					prev.Files[rel] = d
				}
			}
			_ = writeManifest(opts.Dir, prev)
		}
	}()
	for _, rel := range sortedKeys(plan) {
		p := filepath.Join(opts.Dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("export %s: %w", s.Name, err)
		}
		existed := false
		if _, err := os.Lstat(p); err == nil {
			existed = true
		}
		perm := redact.Perm
		if rel == "snapshot.json" {
			perm = redact.SnapshotPerm
		}
		if err := redact.WriteFile(p, plan[rel], perm); err != nil {
			return nil, fmt.Errorf("export %s: %w", s.Name, err)
		}
		if !existed {
			created = append(created, p)
		}
		d, err := fileDigest(p)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", s.Name, err)
		}
		written[rel] = d
		res.Files = append(res.Files, rel)
	}
	if err := removeStale(opts.Dir, stale); err != nil {
		return nil, fmt.Errorf("export %s: remove the previous export's %w", s.Name, err)
	}
	res.Removed = stale
	if err := writeManifest(opts.Dir, &manifest{Format: manifestFormat, Scenario: s.Name, Variant: v.Name, Files: written}); err != nil {
		return nil, fmt.Errorf("export %s: %w", s.Name, err)
	}
	return res, nil
}

// indentExpect renders expectations as a YAML block under a variant key.
func indentExpect(e *Expectations) string {
	var b strings.Builder
	if e.Verdict != "" {
		fmt.Fprintf(&b, "  verdict: %s\n", e.Verdict)
	}
	if len(e.Assertions) > 0 {
		b.WriteString("  assert:\n")
	}
	for _, a := range e.Assertions {
		if a.On == "" {
			fmt.Fprintf(&b, "    - %q\n", a.Text)
			continue
		}
		fmt.Fprintf(&b, "    - that: %q\n      on: %q\n", a.Text, a.On)
	}
	return b.String()
}

func readme(s *Scenario, v *Variant) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s (%s)\n\n%s.\n\n%s\n\n", s.Title, v.Name, capitalize(s.Story), s.Incident)
	fmt.Fprintf(&b, "This variant: %s. Expected: %s.\n\n", v.Summary, v.Outcome)
	b.WriteString("## Run it\n\n    rehearse run --config rehearse.yaml\n\n")
	b.WriteString("`snapshot.json` is the production snapshot, `migrations/` the release in golang-migrate format, `rehearse.yaml` the load, injected faults and gates, `expect.yaml` what the rehearsal should show. Replace any of them with your own.\n\n")
	b.WriteString("## What to look for\n\n")
	for _, l := range s.Look {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	if len(s.Sources) > 0 {
		b.WriteString("\n## Sources\n\n")
		for _, src := range s.Sources {
			fmt.Fprintf(&b, "- %s\n", src)
		}
	}
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
