package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// commandRe finds "rehearse WORDS" in a text: the command path; the
// flags come from the rest of the clause (clauseEnd).
var commandRe = regexp.MustCompile(`rehearse((?: [a-z][a-z0-9-]*)+)`)

var flagRe = regexp.MustCompile(`(?:^|\s)(--[a-z][a-z0-9-]*|-[a-zA-Z])\b`)

// clauseEnd is where a command line written in a text ends: a sentence or
// shell separator, a shell comment, a list's comma, the next command named.
var clauseEnd = regexp.MustCompile("[;`|)&\"\n,#]|rehearse ")

type mention struct {
	cmd   *cobra.Command
	line  string
	flags []string
}

// mentions returns every command line a text names: the resolved command
// and the flags written after it. Texts naming no subcommand ("rehearse:
// error") are skipped.
func mentions(root *cobra.Command, text string) []mention {
	var out []mention
	for _, loc := range commandRe.FindAllStringSubmatchIndex(text, -1) {
		words := strings.Fields(text[loc[2]:loc[3]])
		c, rest, err := root.Find(words)
		if err != nil || c == root {
			continue
		}
		after := text[loc[1]:]
		if i := clauseEnd.FindStringIndex(after); i != nil {
			after = after[:i[0]]
		}
		tail := strings.Join(rest, " ") + after
		var flags []string
		for _, f := range flagRe.FindAllStringSubmatch(tail, -1) {
			flags = append(flags, f[1])
		}
		out = append(out, mention{c, strings.TrimSpace(text[loc[0]:loc[1]] + after), flags})
	}
	return out
}

// hasFlag reports whether c takes the flag (its own, inherited or help).
func hasFlag(c *cobra.Command, flag string) bool {
	if strings.HasPrefix(flag, "--") {
		name := strings.TrimPrefix(flag, "--")
		return c.Flags().Lookup(name) != nil || c.InheritedFlags().Lookup(name) != nil || name == "help"
	}
	short := strings.TrimPrefix(flag, "-")
	return c.Flags().ShorthandLookup(short) != nil || c.InheritedFlags().ShorthandLookup(short) != nil || short == "h"
}

// TestHintsNameRealFlags: every "rehearse X ... --flag" the program says —
// hints ("Try: ..."), errors, help texts and examples, in every Go string
// literal of the module — and every one the documentation shows names a
// command that exists and flags that command takes. A hint that sends a
// user to a flag that does not exist is a dead end at the worst moment.
func TestHintsNameRealFlags(t *testing.T) {
	root := newRootCmd(&ioStreams{})
	repo := filepath.Join("..", "..")
	checked := 0
	check := func(where, text string) {
		for _, m := range mentions(root, text) {
			checked++
			for _, f := range m.flags {
				if !hasFlag(m.cmd, f) {
					t.Errorf("%s: %q names %s, which `%s` does not take", where, m.line, f, m.cmd.CommandPath())
				}
			}
		}
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		switch {
		case strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go"):
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						check(fset.Position(lit.Pos()).String(), s)
					}
				}
				return true
			})
		case strings.HasSuffix(p, ".md"):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			inBad := false // the bad-input table shows mistakes on purpose
			for i, line := range strings.Split(string(b), "\n") {
				switch {
				case strings.HasPrefix(line, "<!-- bad-input table"):
					inBad = true
				case strings.HasPrefix(line, "<!-- end of the bad-input table"):
					inBad = false
				case !inBad:
					check(p+":"+strconv.Itoa(i+1), line)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Errorf("only %d command lines found: the scan missed the sources", checked)
	}
	t.Logf("%d command lines checked", checked)
}

// The checker itself finds a wrong flag, a right one, and skips prose.
func TestHintsCheckerFindsMistakes(t *testing.T) {
	root := newRootCmd(&ioStreams{})
	for text, want := range map[string]string{
		"Try: rehearse snapshot --dsn X --max-lock-hold 2s -o prod.json":                 "",
		"Try: rehearse plan --snapshot prod.json --migrationz ./db":                      "--migrationz",
		"rehearse: error: something":                                                     "",
		"run `rehearse scenarios run mdl-pileup --engine local --nope`":                  "--nope",
		"rehearse scenarios export, or rehearse reproduce --save-scenario":               "",
		"rehearse scenarios run --dir d   # saved by rehearse reproduce --save-scenario": "",
	} {
		var bad []string
		for _, m := range mentions(root, text) {
			for _, f := range m.flags {
				if !hasFlag(m.cmd, f) {
					bad = append(bad, f)
				}
			}
		}
		if strings.Join(bad, ",") != want {
			t.Errorf("%q: flagged %v, want %q", text, bad, want)
		}
	}
}
