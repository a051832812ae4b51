package verdicts

import (
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Release is a case made concrete: the migrations folder rehearse is
// given, and the scripts that turn an empty database into production.
type Release struct {
	// Migrations is the folder of migration files: the case's own, the
	// scenario's, or a temporary copy of the corpus range (third-party
	// files are copied at test time, never committed).
	Migrations string
	// Setup are the scripts, in order. Each is sent whole to the server
	// (multi-statement), as golang-migrate and morph send a migration.
	Setup []Script
	// Pending are the versions of the release, in order.
	Pending []string
}

// Script is one setup step.
type Script struct {
	Name string // the file, for messages
	SQL  string
}

// Paths say where the repository and the shared corpus are.
type Paths struct {
	Repo   string // the module root (holding scenarios/library)
	Corpus string // ../shared/corpus
}

// DefaultPaths finds the module root by walking up from dir to go.mod; the
// corpus is ../shared/corpus beside it.
func DefaultPaths(dir string) (Paths, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return Paths{}, err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return Paths{Repo: d, Corpus: filepath.Join(filepath.Dir(d), "shared", "corpus")}, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return Paths{}, fmt.Errorf("no go.mod above %s", dir)
		}
		d = up
	}
}

// Release builds the case's release; tmp receives the copies a corpus case
// needs (the caller removes it).
func (c *Case) Release(p Paths, tmp string) (*Release, error) {
	r := &Release{}
	switch c.Source {
	case "own":
		r.Migrations = filepath.Join(c.Dir, c.Migrations)
	case "scenario":
		dir := filepath.Join(p.Repo, "scenarios", "library", c.Scenario.Name)
		mig, err := scenarioMigrations(dir, c.Scenario.Variant)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.File, err)
		}
		r.Migrations = mig
		sql, err := os.ReadFile(filepath.Join(dir, "schema", "production.sql"))
		if err != nil {
			return nil, err
		}
		r.Setup = append(r.Setup, Script{Name: filepath.Join(dir, "schema", "production.sql"), SQL: string(sql)})
	default:
		if err := c.corpusRelease(p, tmp, r); err != nil {
			return nil, fmt.Errorf("%s: %w", c.File, err)
		}
	}
	for _, f := range c.Setup {
		path := filepath.Join(c.Dir, f)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: setup: %w", c.File, err)
		}
		r.Setup = append(r.Setup, Script{Name: path, SQL: string(b)})
	}
	if c.Corpus == nil {
		r.Pending = c.Pending
	}
	return r, nil
}

// scenarioMigrations reads the variant's rehearse.yaml for its migrations
// folder.
func scenarioMigrations(dir, variant string) (string, error) {
	cfg := "rehearse.yaml"
	if variant != "" && variant != "unsafe" {
		cfg = "rehearse." + variant + ".yaml"
	}
	b, err := os.ReadFile(filepath.Join(dir, cfg))
	if err != nil {
		return "", fmt.Errorf("scenario variant %q: %w", variant, err)
	}
	var v struct {
		Migrations string `yaml:"migrations"`
	}
	if err := yaml.Unmarshal(b, &v); err != nil || v.Migrations == "" {
		return "", fmt.Errorf("%s: no migrations key", filepath.Join(dir, cfg))
	}
	return filepath.Join(dir, v.Migrations), nil
}

// corpusName reads a golang-migrate name (000054_x.up.sql) or, with naming
// "authelia", Authelia's V0054.X.up.sql.
var (
	gmName       = regexp.MustCompile(`^(\d+)_(.+)\.(up|down)\.sql$`)
	autheliaName = regexp.MustCompile(`^V(\d+)\.(.+)\.(up|down)\.sql$`)
)

type corpusFile struct {
	version *big.Int
	raw     string // as written
	name    string
	dir     string // up | down
	path    string
}

// corpusRelease copies the migrations up to Release into tmp (golang-migrate
// names), makes the setup (every up up to Applied, sent whole as the runner
// does, then golang-migrate's history at Applied) and lists the pending
// versions.
func (c *Case) corpusRelease(p Paths, tmp string, r *Release) error {
	src := filepath.Join(p.Corpus, c.Corpus.Dir)
	ents, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("corpus %s: %w (place the shared corpus at ../shared/corpus beside the repository)", c.Corpus.Dir, err)
	}
	re := gmName
	if c.Corpus.Naming == "authelia" {
		re = autheliaName
	} else if c.Corpus.Naming != "" {
		return fmt.Errorf("corpus naming %q: use authelia or leave it out", c.Corpus.Naming)
	}
	applied, ok1 := new(big.Int).SetString(c.Corpus.Applied, 10)
	last, ok2 := new(big.Int).SetString(c.Corpus.Release, 10)
	if !ok1 || !ok2 || applied.Cmp(last) >= 0 {
		return fmt.Errorf("corpus: applied %q and release %q must be versions, applied < release", c.Corpus.Applied, c.Corpus.Release)
	}
	var files []corpusFile
	for _, e := range ents {
		m := re.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		v, _ := new(big.Int).SetString(m[1], 10)
		if v.Cmp(last) > 0 {
			continue
		}
		files = append(files, corpusFile{version: v, raw: m[1], name: m[2], dir: m[3], path: filepath.Join(src, e.Name())})
	}
	sort.Slice(files, func(i, j int) bool {
		if c := files[i].version.Cmp(files[j].version); c != 0 {
			return c < 0
		}
		return files[i].dir > files[j].dir // up before down
	})
	dst := filepath.Join(tmp, "migrations")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return err
		}
		name := filepath.Base(f.path)
		if c.Corpus.Naming == "authelia" {
			name = fmt.Sprintf("%s_%s.%s.sql", f.version, f.name, f.dir)
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			return err
		}
		if f.version.Cmp(applied) <= 0 {
			// An up with no statement (Authelia's V0009 for MySQL: comments
			// only) is a no-op its runner records; the server would answer
			// 1065 "Query was empty".
			if f.dir == "up" && !blank(string(b)) {
				r.Setup = append(r.Setup, Script{Name: f.path, SQL: string(b)})
			}
		} else if !seen[f.version.String()] {
			seen[f.version.String()] = true
			v := f.raw
			if c.Corpus.Naming == "authelia" {
				v = f.version.String()
			}
			r.Pending = append(r.Pending, v)
		}
	}
	r.Migrations = dst
	r.Setup = append(r.Setup, Script{Name: "golang-migrate history", SQL: fmt.Sprintf(
		"CREATE TABLE schema_migrations (version bigint NOT NULL, dirty tinyint(1) NOT NULL, PRIMARY KEY (version));\n"+
			"INSERT INTO schema_migrations (version, dirty) VALUES (%s, 0);\n", applied)})
	return nil
}

// Database is the database name a case's production uses: the case's name
// with dashes as underscores (so cases can share a server).
func (c *Case) Database() string {
	return strings.ReplaceAll(c.Name, "-", "_")
}

// blank tells whether a script holds no statement: only whitespace and
// comments (-- and # lines, /* */ blocks).
func blank(sql string) bool {
	sql = blockComment.ReplaceAllString(sql, "")
	for _, l := range strings.Split(sql, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && l != ";" && !strings.HasPrefix(l, "--") && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// (A /*! … */ block is a statement MySQL runs: not a comment here.)
var blockComment = regexp.MustCompile(`(?s)/\*[^!].*?\*/`)
