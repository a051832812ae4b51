// Package verdicts is rehearse's verdict-accuracy corpus: realistic releases
// whose true outcome was established on a plain server, by hand (the plain
// client and driver, verdicts/verify), never by rehearse. The test
// (verdicts_test.go) rehearses each release with `rehearse plan` and
// `rehearse run` under the default gates and counts false passes and false
// fails per flavor. README.md describes the case format.
//
// This file reads cases; release.go turns a case into the files and setup
// scripts a server needs. Both are shared by the test and by the verifier,
// so the two always look at the same release.
package verdicts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Flavors are the servers every case is judged on, with the versions the
// corpus runs (MariaDB 10.11: the host's package; MySQL 9.7: the make images
// root).
var Flavors = []string{"mariadb", "mysql"}

// Case is one release with its true outcome.
type Case struct {
	Name string `yaml:"-"` // the folder's name
	Dir  string `yaml:"-"` // the folder, absolute
	File string `yaml:"-"` // case.yaml, for messages

	Title string `yaml:"title"`
	Story string `yaml:"story"`
	// Source says where the release comes from: own (this folder),
	// mattermost or authelia (../shared/corpus, by path and range),
	// scenario (the incident library).
	Source string `yaml:"source"`
	// Format is the migration format rehearse must detect for the folder.
	Format string `yaml:"format"`
	// Setup are SQL files (relative to the case folder) applied in order to
	// an empty database to make production: schema, rows, history. Each file
	// is sent whole (multi-statement), no DELIMITER lines.
	Setup []string `yaml:"setup"`
	// Migrations is the folder of an own case (relative to the case folder).
	Migrations string `yaml:"migrations"`
	// Pending are the versions of the release in the order the runner runs
	// them (own and scenario cases; a corpus range gives its own).
	Pending []string `yaml:"pending"`
	// Corpus refers to third-party migrations in ../shared/corpus.
	Corpus *CorpusRef `yaml:"corpus"`
	// Scenario refers to a scenario of the incident library.
	Scenario *ScenarioRef `yaml:"scenario"`
	// App is the previous application version: its statements, written as
	// an ORM of the pre-release schema writes them (every column). {n} is
	// replaced by a number unique to each execution. The INSERTs are also
	// the concurrent writers while the migrations run.
	App []string `yaml:"app"`
	// Inject are rehearse run --inject specs; the verifier reproduces them
	// (long-txn: a session reading the table in an open transaction).
	Inject []string `yaml:"inject"`
	// Only limits the case to some flavors (default: every one).
	Only []string `yaml:"only"`
	// FirstAdoption: the release is its runner's first on production (no
	// history table of that runner yet); the tool is told so
	// (--first-adoption), as a team adopting the runner would.
	FirstAdoption bool `yaml:"first_adoption"`
	// Pattern is the --migrations-pattern of an in-house runner's folder
	// (format pattern), passed to plan and run.
	Pattern string `yaml:"pattern"`
	// ReleaseStats captures production with the release, as `rehearse
	// snapshot --migrations` does: production's counts for the literals
	// the pending DML compares columns to (snapshot literals[]), which the
	// rehearsal's data then follows.
	ReleaseStats bool `yaml:"release_stats"`
	// Short puts the case in the representative subset make test runs
	// (TestVerdicts without REHEARSE_VERDICTS); make bench runs every case.
	Short bool `yaml:"short"`
	// Engine "local" rehearses the case on a sandbox of its own rather
	// than the shared dsn-engine server: the dsn engine refuses a statement
	// its parser cannot read or a routine with dynamic SQL
	// (docs/security.md), which a user rehearsing on the default engine
	// never meets.
	Engine string `yaml:"engine"`
	// History names an in-house runner's history table for the snapshot
	// (--history-table TABLE --history-version-column COLUMN).
	History *HistoryRef `yaml:"history"`

	Expect   Expect         `yaml:"expect"`
	Verified []Verification `yaml:"verified"`
}

// CorpusRef is a range of third-party migrations: production has applied
// every migration up to Applied; the release is the ones after it, up to
// Release.
type CorpusRef struct {
	Dir     string `yaml:"dir"`     // folder under ../shared/corpus
	Applied string `yaml:"applied"` // the version production is at
	Release string `yaml:"release"` // the last version of the release
	// Naming "authelia" converts V0001.Name.up.sql to golang-migrate names
	// (1_Name.up.sql) in the temporary copy; "" takes the files as named.
	Naming string `yaml:"naming"`
}

// HistoryRef is an in-house runner's history table.
type HistoryRef struct {
	Table         string `yaml:"table"`
	VersionColumn string `yaml:"version_column"`
}

// ScenarioRef is a variant of a scenario of scenarios/library.
type ScenarioRef struct {
	Name    string `yaml:"name"`
	Variant string `yaml:"variant"` // unsafe (default) or fixed
}

// Expect is the truth, per flavor where flavors differ.
type Expect struct {
	Statements []Statement          `yaml:"statements"`
	Rollback   map[string]PerFlavor `yaml:"rollback"`   // version -> restores | differences | irreversible | data_lost | failed
	AppCompat  PerFlavor            `yaml:"app_compat"` // compatible | breaks
}

// Statement is the truth about one statement of a pending migration's up.
type Statement struct {
	// At is VERSION#N (N counts the up's statements from 1), or VERSION
	// alone for every statement of that migration.
	At string `yaml:"at"`
	// SQL is how the statement starts (whitespace-insensitive): a check that
	// both sides talk about the same statement.
	SQL string `yaml:"sql"`
	// Outcome: "applies" or "fails N" (the server's error number).
	Outcome PerFlavor `yaml:"outcome"`
	// Algorithm: the best ALGORITHM the server accepts for it (INSTANT,
	// NOCOPY, INPLACE, COPY); empty for statements that take none.
	Algorithm PerFlavor `yaml:"algorithm"`
	// Blocks: a concurrent writer waited for most of the statement
	// (true/false).
	Blocks PerFlavor `yaml:"blocks"`
	Note   string    `yaml:"note"`
}

// Verification records how the truth was established on one server.
type Verification struct {
	Server  string `yaml:"server"`  // "mariadb 10.11.19"
	Date    string `yaml:"date"`    // YYYY-MM-DD
	Command string `yaml:"command"` // how to repeat it
	Saw     string `yaml:"saw"`     // what the server said, in short
}

// PerFlavor is a value that is the same on every flavor ("applies") or
// differs ({mariadb: "fails 1064", mysql: applies}).
type PerFlavor struct {
	All string
	By  map[string]string
}

// UnmarshalYAML reads a scalar or a flavor map.
func (p *PerFlavor) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		p.All = n.Value
		return nil
	case yaml.MappingNode:
		m := map[string]string{}
		if err := n.Decode(&m); err != nil {
			return err
		}
		for k := range m {
			if !isFlavor(k) {
				return fmt.Errorf("line %d: %q is not a flavor (use %s)", n.Line, k, strings.Join(Flavors, ", "))
			}
		}
		p.By = m
		return nil
	}
	return fmt.Errorf("line %d: want a value or {mariadb: ..., mysql: ...}", n.Line)
}

// For is the value on flavor ("" when not stated).
func (p PerFlavor) For(flavor string) string {
	if v, ok := p.By[flavor]; ok {
		return v
	}
	return p.All
}

// Set says whether anything is stated.
func (p PerFlavor) Set() bool { return p.All != "" || len(p.By) > 0 }

func isFlavor(s string) bool {
	for _, f := range Flavors {
		if f == s {
			return true
		}
	}
	return false
}

// Outcome is a parsed "applies" / "fails N".
type Outcome struct {
	Fails bool
	Code  int
}

func (o Outcome) String() string {
	if o.Fails {
		return fmt.Sprintf("fails %d", o.Code)
	}
	return "applies"
}

// ParseOutcome reads "applies" or "fails N".
func ParseOutcome(s string) (Outcome, error) {
	f := strings.Fields(s)
	switch {
	case len(f) == 1 && f[0] == "applies":
		return Outcome{}, nil
	case len(f) == 2 && f[0] == "fails":
		n, err := strconv.Atoi(f[1])
		if err != nil || n <= 0 {
			return Outcome{}, fmt.Errorf("outcome %q: the error number must be positive", s)
		}
		return Outcome{Fails: true, Code: n}, nil
	}
	return Outcome{}, fmt.Errorf("outcome %q: write applies or fails N", s)
}

// Rollback verdicts, the words the report uses.
var rollbackVerdicts = map[string]bool{"restores": true, "differences": true, "irreversible": true, "data_lost": true, "failed": true}

// Algorithms the truth may state.
var algorithms = map[string]bool{"INSTANT": true, "NOCOPY": true, "INPLACE": true, "COPY": true}

// Runs tells whether the case is judged on flavor.
func (c *Case) Runs(flavor string) bool {
	if len(c.Only) == 0 {
		return true
	}
	for _, f := range c.Only {
		if f == flavor {
			return true
		}
	}
	return false
}

// Key splits At into version and statement index (0: every statement).
func (s Statement) Key() (version string, index int) {
	v, n, ok := strings.Cut(s.At, "#")
	if !ok {
		return v, 0
	}
	i, _ := strconv.Atoi(n)
	return v, i
}

// Verdict is the expected verdict of the release on flavor under the
// default gates, derived from the truth: a release fails when one of its
// statements fails or blocks writers for most of its run, or when the
// previous app version breaks on the new schema. (Rollback verdicts are
// findings; the default gates do not judge them.)
func (c *Case) Verdict(flavor string) string {
	for _, s := range c.Expect.Statements {
		o, _ := ParseOutcome(s.Outcome.For(flavor))
		if o.Fails || s.Blocks.For(flavor) == "true" {
			return "fail"
		}
	}
	if c.Expect.AppCompat.For(flavor) == "breaks" {
		return "fail"
	}
	return "pass"
}

// Load reads the case in dir (dir/case.yaml) and checks it.
func Load(dir string) (*Case, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(abs, "case.yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	c := &Case{Name: filepath.Base(abs), Dir: abs, File: file}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// LoadAll reads every case folder under root (a folder holding one folder
// per case), sorted by name.
func LoadAll(root string) ([]*Case, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var out []*Case
	var errs []error
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, e.Name(), "case.yaml")); err != nil {
			continue
		}
		c, err := Load(filepath.Join(root, e.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errors.Join(errs...)
}

func (c *Case) check() error {
	if c.Title == "" {
		return errors.New("title is required")
	}
	switch c.Source {
	case "own":
		if c.Migrations == "" || c.Corpus != nil || c.Scenario != nil || len(c.Pending) == 0 {
			return errors.New("source own: set migrations (the folder) and pending (the release's versions), not corpus or scenario")
		}
	case "mattermost", "authelia":
		if c.Corpus == nil || c.Corpus.Dir == "" || c.Corpus.Applied == "" || c.Corpus.Release == "" {
			return fmt.Errorf("source %s: set corpus: {dir, applied, release}", c.Source)
		}
	case "scenario":
		if c.Scenario == nil || c.Scenario.Name == "" || len(c.Pending) == 0 {
			return errors.New("source scenario: set scenario: {name, variant} and pending (the release's versions)")
		}
	default:
		return fmt.Errorf("source %q: use own, mattermost, authelia or scenario", c.Source)
	}
	if c.Engine != "" && c.Engine != "local" {
		return fmt.Errorf("engine %q: use local or leave it out", c.Engine)
	}
	if c.Format == "" {
		return errors.New("format is required (the migration format rehearse must detect)")
	}
	for _, f := range c.Only {
		if !isFlavor(f) {
			return fmt.Errorf("only: %q is not a flavor", f)
		}
	}
	seen := map[string]bool{}
	for _, s := range c.Expect.Statements {
		if s.At == "" {
			return errors.New("expect.statements: every entry needs at: VERSION#N")
		}
		if seen[s.At] {
			return fmt.Errorf("expect.statements: %s twice", s.At)
		}
		seen[s.At] = true
		if _, n := s.Key(); n < 0 || strings.Contains(s.At, "#") && n == 0 {
			return fmt.Errorf("%s: write VERSION#N with N from 1", s.At)
		}
		for _, f := range Flavors {
			if !c.Runs(f) {
				continue
			}
			if _, err := ParseOutcome(s.Outcome.For(f)); err != nil {
				return fmt.Errorf("%s on %s: %w", s.At, f, err)
			}
			if a := s.Algorithm.For(f); a != "" && !algorithms[a] {
				return fmt.Errorf("%s on %s: algorithm %q: use INSTANT, NOCOPY, INPLACE or COPY", s.At, f, a)
			}
			if b := s.Blocks.For(f); b != "" && b != "true" && b != "false" {
				return fmt.Errorf("%s on %s: blocks %q: use true or false", s.At, f, b)
			}
		}
	}
	for v, p := range c.Expect.Rollback {
		for _, f := range Flavors {
			if r := p.For(f); c.Runs(f) && r != "" && !rollbackVerdicts[r] {
				return fmt.Errorf("rollback %s on %s: %q: use restores, differences, irreversible, data_lost or failed", v, f, r)
			}
		}
	}
	for _, f := range Flavors {
		if a := c.Expect.AppCompat.For(f); c.Runs(f) && a != "" && a != "compatible" && a != "breaks" {
			return fmt.Errorf("app_compat on %s: %q: use compatible or breaks", f, a)
		}
	}
	return nil
}

// Complete checks what a case needs before the corpus judges rehearse by
// it (Load accepts a case without them, so verify can establish them): the
// truth of at least one statement, and how it was verified on each flavor
// the case runs on.
func (c *Case) Complete() error {
	if len(c.Expect.Statements) == 0 {
		return fmt.Errorf("%s: expect.statements: state the truth of at least one statement", c.File)
	}
	for _, f := range Flavors {
		if !c.Runs(f) {
			continue
		}
		found := false
		for _, v := range c.Verified {
			found = found || strings.HasPrefix(v.Server, f+" ") && v.Date != "" && v.Command != "" && v.Saw != ""
		}
		if !found {
			return fmt.Errorf("%s: verified: no record for %s (server, date, command, saw): run verdicts/verify.sh %s", c.File, f, c.Name)
		}
	}
	return nil
}
