package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rehearse/rehearse/rehearse/result"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

// flagExceptions are the flags that mean something else on some commands,
// by command path ("*": on every command): those are not held to the
// others' name, help and default. Every other flag two commands take is.
var flagExceptions = map[string]map[string]string{
	"engine":   {"rehearse snapshot": "--from-dump's sandbox only: auto, docker or local"},
	"flavor":   {"rehearse snapshot": "--from-dump's sandbox", "rehearse scenarios export": "the server the exported snapshot is for (default mariadb); nothing starts"},
	"version":  {"rehearse snapshot": "--from-dump's sandbox"},
	"image":    {"rehearse snapshot": "--from-dump's sandbox"},
	"rootfs":   {"rehearse snapshot": "--from-dump's sandbox"},
	"basedir":  {"rehearse snapshot": "--from-dump's sandbox"},
	"database": {"rehearse snapshot": "--from-dump: the database a dump without USE is loaded into"},
	"dsn": {
		"rehearse snapshot": "production, the source (the engines' --dsn is a target)",
		"rehearse generate": "the server generate fills, no scratch database",
		"rehearse doctor":   "a dsn engine target doctor looks at",
	},
	"scale": {
		"rehearse generate":      "multiplies the snapshot's counts, default 1 (the whole of production)",
		"rehearse sandbox":       "default: no rows, the schema only",
		"rehearse scenarios run": "default: the scenario's own",
	},
	"seed": {
		"rehearse generate": "datagen's unsigned seed, default 0",
		"rehearse sandbox":  "datagen's unsigned seed",
	},
	"tables":     {"*": "sandbox fills only these; generate also keeps the others' rows for foreign keys"},
	"migrations": {"rehearse diff": "what diff checks a schema against, not a release to rehearse"},
	"json":       {"*": "each command prints its own document"},
	"output":     {"*": "each command writes its own document (addOutputFlags names it)"},
	"format":     {"*": "the formats are the document's (addOutputFlags lists them)"},
	"out-dir":    {"*": "the file names are the document's formats' (addOutputFlags lists them)"},
}

// TestFlagsOneDefinition: a flag two commands take has one name, one type,
// one help text and one default everywhere (issue 18, item 4), but for
// the meanings flagExceptions lists; a command that changes a default does
// it with changeDefault, which the flag carries. --format and --out-dir,
// whose lists are the document's, still share their wording and default.
func TestFlagsOneDefinition(t *testing.T) {
	root := newRootCmd(&ioStreams{})
	type use struct {
		cmd  string
		flag *pflag.Flag
	}
	byName := map[string][]use{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { byName[f.Name] = append(byName[f.Name], use{c.CommandPath(), f}) })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	shared := 0
	for name, uses := range byName {
		var held []use
		for _, u := range uses {
			if ex := flagExceptions[name]; ex[u.cmd] == "" && ex["*"] == "" {
				held = append(held, u)
			}
		}
		for _, u := range uses {
			if name == "format" && (u.flag.DefValue != "table" || !strings.HasPrefix(u.flag.Usage, "output formats, comma-separated: ")) {
				t.Errorf("%s --format: default %q, help %q: not addOutputFlags'", u.cmd, u.flag.DefValue, u.flag.Usage)
			}
			if name == "out-dir" && !strings.HasPrefix(u.flag.Usage, "write each format to its own file in `DIR` (") {
				t.Errorf("%s --out-dir: help %q: not addOutputFlags'", u.cmd, u.flag.Usage)
			}
		}
		if len(held) < 2 {
			continue
		}
		shared++
		first := held[0]
		for _, u := range held[1:] {
			a, b := first.flag, u.flag
			if a.Value.Type() != b.Value.Type() || a.Shorthand != b.Shorthand || a.Hidden != b.Hidden {
				t.Errorf("--%s: %s takes a %s (-%s, hidden %v), %s a %s (-%s, hidden %v)", name, first.cmd, a.Value.Type(), a.Shorthand, a.Hidden, u.cmd, b.Value.Type(), b.Shorthand, b.Hidden)
			}
			if ua, ub := commonUsage(a), commonUsage(b); ua != ub {
				t.Errorf("--%s has two help texts:\n  %s: %s\n  %s: %s", name, first.cmd, ua, u.cmd, ub)
			}
			_, changedA := a.Annotations[defaultAnnotation]
			_, changedB := b.Annotations[defaultAnnotation]
			if a.DefValue != b.DefValue && !changedA && !changedB {
				t.Errorf("--%s: default %q in %s, %q in %s, and neither says why (changeDefault)", name, a.DefValue, first.cmd, b.DefValue, u.cmd)
			}
		}
	}
	if shared < 30 {
		t.Errorf("only %d flags shared by two commands or more: the walk missed commands", shared)
	}
	for name, ex := range flagExceptions {
		for cmd := range ex {
			if cmd == "*" {
				continue
			}
			found := false
			for _, u := range byName[name] {
				found = found || u.cmd == cmd
			}
			if !found {
				t.Errorf("flagExceptions: %s has no --%s (a stale exception)", cmd, name)
			}
		}
	}
}

// commonUsage is a flag's help without the note changeDefault added.
func commonUsage(f *pflag.Flag) string {
	if a := f.Annotations[defaultAnnotation]; len(a) == 2 && a[1] != "" {
		return strings.TrimSuffix(f.Usage, " (default: "+a[1]+")")
	}
	return f.Usage
}

// TestRehearsalFlagsReachOptions: every rehearsal and input flag a command
// takes lands in the rehearsal's options (run's --first-adoption once
// registered into a field the rehearsal never read).
func TestRehearsalFlagsReachOptions(t *testing.T) {
	seed := "../../scenarios/library/unique-index-rerun"
	type flag struct {
		args []string
		got  func(rehearsal.Options) any
		want any
	}
	flags := map[string]flag{
		"first-adoption":    {[]string{"--first-adoption"}, func(r rehearsal.Options) any { return r.FirstAdoption }, true},
		"database":          {[]string{"--database", "app"}, func(r rehearsal.Options) any { return r.Database }, "app"},
		"scale":             {[]string{"--scale", "0.25"}, func(r rehearsal.Options) any { return r.Scale }, 0.25},
		"seed":              {[]string{"--seed", "7"}, func(r rehearsal.Options) any { return r.Seed }, int64(7)},
		"rows":              {[]string{"--rows", "investments=1_500"}, func(r rehearsal.Options) any { return r.Rows["investments"] }, int64(1500)},
		"load":              {[]string{"--load", "42"}, func(r rehearsal.Options) any { return r.LoadRate }, 42.0},
		"baseline":          {[]string{"--baseline", "1500ms"}, func(r rehearsal.Options) any { return r.Baseline }, 1500 * time.Millisecond},
		"app-compat-window": {[]string{"--app-compat-window", "700ms"}, func(r rehearsal.Options) any { return r.AppCompatWindow }, 700 * time.Millisecond},
		"lock-wait-timeout": {[]string{"--lock-wait-timeout", "9s"}, func(r rehearsal.Options) any { return r.LockWaitTimeout }, 9 * time.Second},
		"no-rollback":       {[]string{"--no-rollback"}, func(r rehearsal.Options) any { return r.SkipRollback }, true},
	}
	var names []string
	for n := range flags {
		names = append(names, n)
	}
	sort.Strings(names)
	io := &ioStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	commands := map[string]func() (*cobra.Command, *runOptions){
		"run": func() (*cobra.Command, *runOptions) { o := &runOptions{io: io}; return runCommand(o), o },
		"compare": func() (*cobra.Command, *runOptions) {
			o := &compareOptions{run: runOptions{io: io}}
			return compareCommand(o), &o.run
		},
		"reproduce": func() (*cobra.Command, *runOptions) {
			o := &reproduceOptions{run: runOptions{io: io}}
			return reproduceCmd(o), &o.run
		},
		"capacity": func() (*cobra.Command, *runOptions) {
			o := &capacityOptions{run: &runOptions{io: io}}
			return capacityCommand(o), o.run
		},
		"load-profile": func() (*cobra.Command, *runOptions) {
			o := &loadProfileOptions{run: &runOptions{io: io}}
			return loadProfileCommand(o), o.run
		},
	}
	for cname, build := range commands {
		cmd, o := build()
		args := []string{"--snapshot", seed + "/production.json", "--migrations", seed + "/migrations"}
		var taken []string
		for _, n := range names {
			if cmd.Flags().Lookup(n) != nil {
				args = append(args, flags[n].args...)
				taken = append(taken, n)
			}
		}
		if err := cmd.ParseFlags(args); err != nil {
			t.Fatalf("%s %v: %v", cname, args, err)
		}
		o.changed = cmd.Flags().Changed
		ro, _, err := o.buildInputs()
		if err != nil {
			t.Fatalf("%s %v: %v", cname, args, err)
		}
		for _, n := range taken {
			if got := flags[n].got(ro); got != flags[n].want {
				t.Errorf("rehearse %s --%s: the rehearsal got %v, want %v", cname, n, got, flags[n].want)
			}
		}
		if len(taken) < 2 {
			t.Errorf("rehearse %s takes only %v", cname, taken)
		}
	}
}

// TestVersionOneSource: rehearse --version and rehearse version print the
// same line, and every document names the same version as its tool.
func TestVersionOneSource(t *testing.T) {
	code, long, _ := runRehearse(t, nil, "--version")
	code2, cmd, _ := runRehearse(t, nil, "version")
	v, _ := buildVersion()
	if code != 0 || code2 != 0 || long != cmd || !strings.HasPrefix(cmd, toolName()+" (commit ") || toolName() != "rehearse "+v {
		t.Errorf("rehearse --version (exit %d) %q, rehearse version (exit %d) %q, tool %q", code, long, code2, cmd, toolName())
	}
}

// TestNoFieldShadowsAGroup: a command's options struct embeds its flag
// groups; a field of its own with a group field's name would take the
// reads while the flag writes the group's (run's --first-adoption was
// lost so).
func TestNoFieldShadowsAGroup(t *testing.T) {
	for _, v := range []any{runOptions{}, planOptions{}, diffOptions{}, scenariosRunOptions{}, scenariosShowOptions{}, scenariosExportOptions{}} {
		typ := reflect.TypeOf(v)
		own := map[string]bool{}
		for i := 0; i < typ.NumField(); i++ {
			if f := typ.Field(i); !f.Anonymous {
				own[f.Name] = true
			}
		}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if !f.Anonymous {
				continue
			}
			for j := 0; j < f.Type.NumField(); j++ {
				if n := f.Type.Field(j).Name; own[n] {
					t.Errorf("%s.%s shadows %s.%s", typ.Name(), n, f.Type.Name(), n)
				}
			}
		}
	}
}

// TestOutputFlagsWrite: -o gets the JSON document and --format goes to
// standard output; when -o cannot be written the formats are still
// written and -o's error is returned.
func TestOutputFlagsWrite(t *testing.T) {
	dir := t.TempDir()
	doc := &result.Report{Format: result.FormatV1, Tool: toolName(), Verdict: result.Pass}
	var out bytes.Buffer
	io := &ioStreams{Out: &out, ErrOut: &bytes.Buffer{}}
	o := outputFlags{Output: filepath.Join(dir, "r.json"), Formats: "json"}
	if err := o.write(io, doc); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(o.Output)
	if err != nil || !strings.Contains(string(b), result.FormatV1) || !strings.Contains(out.String(), result.FormatV1) {
		t.Errorf("-o %s: %v %q; standard output %q", o.Output, err, b, out.String())
	}
	out.Reset()
	o.Output = filepath.Join(dir, "missing", "r.json")
	if err := o.write(io, doc); err == nil || !strings.Contains(out.String(), result.FormatV1) {
		t.Errorf("-o in a missing folder: error %v, standard output %q", err, out.String())
	}
}

// TestInputFlagsFromConfig: plan and the rehearsing commands read
// rehearse.yaml's inputs in one way: its paths relative to it, a flag
// given wins, and a snapshot and migrations (or --target-schema) must be
// named somewhere.
func TestInputFlagsFromConfig(t *testing.T) {
	seed := "../../scenarios/library/unique-index-rerun"
	cfg, err := readConfig(seed+"/rehearse.yaml", &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	none := func(string) bool { return false }
	var in inputFlags
	if err := in.fromConfig(cfg, none); err != nil || in.Snapshot != cfg.Path("production.json") || in.Migrations != cfg.Path("migrations") {
		t.Errorf("from rehearse.yaml: %v, snapshot %q, migrations %q", err, in.Snapshot, in.Migrations)
	}
	given := inputFlags{Snapshot: "other.json"}
	if err := given.fromConfig(cfg, func(f string) bool { return f == "snapshot" }); err != nil || given.Snapshot != "other.json" {
		t.Errorf("--snapshot given: %v, snapshot %q", err, given.Snapshot)
	}
	if err := (&inputFlags{}).fromConfig(nil, none); err == nil || !strings.Contains(err.Error(), "--snapshot FILE and --migrations DIR") {
		t.Errorf("nothing named: %v", err)
	}
	both := inputFlags{Snapshot: "s.json", Migrations: "m", TargetSchema: "schema.sql"}
	if err := both.fromConfig(nil, func(f string) bool { return f == "migrations" }); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("--migrations and --target-schema: %v", err)
	}
}
