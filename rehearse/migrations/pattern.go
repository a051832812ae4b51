package migrations

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
)

// pattern reads an in-house runner's file names, described by
// --migrations-pattern: "V{version}.{name}.{direction}.sql" reads
// Authelia's V0001.Initial_Schema.up.sql. Placeholders:
//
//	{version}   digits (any length; ordered by value)
//	{name}      any text
//	{direction} up or down (any case); without it every file is an up
//	{dialect}   optional: mysql, mariadb, all, ... (others ignored, as pop does)
//
// Everything else is literal. The runner's history table is read with
// rehearse snapshot --history-table TABLE --history-version-column COL.
type pattern struct {
	text string
	re   *regexp.Regexp
	idx  map[string]int // placeholder -> submatch index
}

func init() { Register(&pattern{}) }

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// newPattern compiles a --migrations-pattern.
func newPattern(p string) (*pattern, error) {
	bad := func(format string, a ...any) error {
		return rehearse.WithHint(fmt.Errorf("--migrations-pattern %q: %s", p, fmt.Sprintf(format, a...)),
			"write the file name with placeholders {version}, {name}, {direction} (up|down) and optionally {dialect}, e.g. 'V{version}.{name}.{direction}.sql' (docs/migrations.md)")
	}
	if !strings.HasSuffix(strings.ToLower(p), ".sql") {
		return nil, bad("it must end with .sql")
	}
	var b strings.Builder
	b.WriteString("^")
	idx := map[string]int{}
	last, n := 0, 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(p, -1) {
		b.WriteString(regexp.QuoteMeta(p[last:m[0]]))
		name := p[m[2]:m[3]]
		if _, dup := idx[name]; dup {
			return nil, bad("{%s} appears twice", name)
		}
		switch name {
		case "version":
			b.WriteString(`([0-9]+)`)
		case "name":
			b.WriteString(`(.+?)`)
		case "direction":
			b.WriteString(`((?i:up|down))`)
		case "dialect":
			b.WriteString(`([A-Za-z0-9]+)`)
		default:
			return nil, bad("unknown placeholder {%s}", name)
		}
		n++
		idx[name] = n
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(p[last:]))
	b.WriteString("$")
	if _, ok := idx["version"]; !ok {
		return nil, bad("it has no {version}")
	}
	return &pattern{text: p, re: regexp.MustCompile(b.String()), idx: idx}, nil
}

func (*pattern) Name() string    { return "pattern" }
func (*pattern) Recursive() bool { return false }

// Claim: a pattern is named, never detected.
func (*pattern) Claim(File) Claim { return NoClaim }

func (p *pattern) Parse(f File) ([]Migration, []Problem) {
	if p.re == nil {
		return nil, []Problem{{Code: "bad-name", Severity: Error, File: f.Path,
			Message: "format pattern needs --migrations-pattern (e.g. 'V{version}.{name}.{direction}.sql')"}}
	}
	m := p.re.FindStringSubmatch(f.Base)
	if m == nil {
		return nil, []Problem{nameProblem(f, "--migrations-pattern", p.text)}
	}
	get := func(k string) string {
		if i, ok := p.idx[k]; ok {
			return m[i]
		}
		return ""
	}
	dialect, known := dialects[strings.ToLower(get("dialect"))]
	if !known {
		dialect = strings.ToLower(get("dialect")) // another dialect: pickDialect drops it
	}
	s, probs := wholeFile(f)
	v := get("version")
	mig := Migration{Version: v, Key: numKey(v), Name: get("name"), Format: "pattern", dialect: dialect}
	if strings.EqualFold(get("direction"), "down") {
		mig.Down = s
	} else {
		mig.Up, mig.hasUp = *s, true
	}
	return []Migration{mig}, probs
}

func (*pattern) Finish(ms []Migration, opts Options) ([]Migration, []Problem) {
	return pickDialect(ms, opts.Flavor, "pattern")
}

func (*pattern) Less(a, b *Migration) bool { return VersionLess(a.Key, b.Key) }

func (*pattern) HistoryKey(version, _ string) string { return numKey(version) }

func (*pattern) History() History {
	return History{Readers: []string{"custom"}, Table: "(--history-table)"}
}

// suggestion reads a file name as version, separator, name, direction,
// dialect: the --migrations-pattern an unrecognised folder's files fit.
var suggestion = regexp.MustCompile(`^([^0-9]*)([0-9]+)([._-]+)(.+?)(?:\.(mysql|mariadb|postgres|postgresql|sqlite3?|all))?(?:([._-])((?i:up|down)))?\.sql$`)

// suggestPattern derives a --migrations-pattern from the files' names: the
// most common shape among them, or "" when none reads as versioned.
func suggestPattern(files []File) string {
	count := map[string]int{}
	best := ""
	for _, f := range files {
		m := suggestion.FindStringSubmatch(f.Base)
		if m == nil {
			continue
		}
		var b strings.Builder
		b.WriteString(m[1] + "{version}" + m[3] + "{name}")
		if m[5] != "" {
			b.WriteString(".{dialect}")
		}
		if m[7] != "" {
			b.WriteString(m[6] + "{direction}")
		}
		b.WriteString(".sql")
		p := b.String()
		count[p]++
		if count[p] > count[best] {
			best = p
		}
	}
	return best
}
