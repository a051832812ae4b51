package migrations

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// atlas reads an Atlas versioned migration directory: VERSION[_name].sql
// files applied in file-name order, and atlas.sum, the directory's
// integrity file, which `atlas migrate apply` and `validate` check before
// running anything. Directives in a file's leading comments: "-- atlas:
// delimiter X" (first line; "\n" escapes allowed) splits at X instead of
// ';', "-- atlas:txmode none" runs the file outside a transaction. The
// history table is atlas_schema_revisions; Atlas has no down files.
type atlas struct{}

func init() { Register(atlas{}) }

// AtlasSumFile is the integrity file of an Atlas directory.
const AtlasSumFile = "atlas.sum"

var (
	atlasName      = regexp.MustCompile(`^([^_]+?)(?:_(.*))?\.sql$`)
	atlasDirective = regexp.MustCompile(`^([ -~]*)atlas:(\w+)(?: +([ -~]*))*`)
)

func (atlas) Name() string    { return "atlas" }
func (atlas) Recursive() bool { return false }
func (atlas) Claim(File) Claim {
	return NoClaim // the folder's atlas.sum says it (ClaimDir)
}

func (atlas) ClaimDir(dir string) (bool, string) {
	if _, err := os.Stat(filepath.Join(dir, AtlasSumFile)); err == nil {
		return true, AtlasSumFile + " in the folder: an Atlas migration directory"
	}
	return false, ""
}

func (atlas) Parse(f File) ([]Migration, []Problem) {
	m := atlasName.FindStringSubmatch(f.Base)
	if m == nil {
		return nil, []Problem{nameProblem(f, "atlas", "VERSION_name.sql")}
	}
	mig := Migration{Version: m[1], Key: m[1], Name: m[2], Format: "atlas", hasUp: true}
	opts := sqlsplit.Options{File: f.Path, Offset: f.Offset}
	data := f.Data
	header := atlasHeader(data)
	var probs []Problem
	for i, c := range header {
		d := atlasDirective.FindStringSubmatch(c)
		if d == nil {
			continue
		}
		switch d[2] {
		case "delimiter":
			if i != 0 || d[1] != "-- " {
				continue // Atlas reads the delimiter from the first line only
			}
			delim := strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\t`, "\t").Replace(d[3])
			if delim == "" {
				probs = append(probs, Problem{Code: "syntax", Severity: Error, File: f.Path, Line: 1, Message: "atlas:delimiter without a delimiter"})
				continue
			}
			nl := bytes.IndexByte(data, '\n')
			if nl < 0 {
				probs = append(probs, Problem{Code: "syntax", Severity: Error, File: f.Path, Line: 1,
					Message: fmt.Sprintf("no input found after delimiter %q", delim)})
				continue
			}
			opts.Delimiter, opts.Line, opts.Offset = delim, 2, f.Offset+int64(nl+1)
			data = data[nl+1:]
		case "txmode":
			switch strings.TrimSpace(d[3]) {
			case "none":
				mig.NoTransaction = true
			case "file", "all":
			default:
				probs = append(probs, Problem{Code: "unknown-annotation", Severity: Warning, File: f.Path, Line: i + 1,
					Message: fmt.Sprintf("atlas:txmode %q: Atlas knows none, file and all", d[3])})
			}
		}
	}
	sts, err := sqlsplit.Split(data, opts)
	if err != nil {
		probs = append(probs, splitProblem(f, err))
	}
	mig.Up = Script{File: f.Path, Line: 1, Statements: sts}
	mig.Up.Checksum = sectionChecksum(&mig.Up)
	return []Migration{mig}, probs
}

// atlasHeader is the file's leading comment lines (# or --), as Atlas
// reads directives from them.
func atlasHeader(b []byte) []string {
	var out []string
	s := string(b)
	for strings.HasPrefix(s, "#") || strings.HasPrefix(s, "--") {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
	return out
}

// Finish checks atlas.sum as `atlas migrate validate` does. A mismatch is
// a "sum-mismatch" warning here (the plan makes it finding RH013): Atlas
// refuses to apply anything from a directory whose sum does not match.
func (atlas) Finish(ms []Migration, opts Options) ([]Migration, []Problem) {
	got, err := AtlasSum(opts.Dir)
	if err != nil {
		return ms, []Problem{{Code: "unreadable", Severity: Error, File: AtlasSumFile, Message: err.Error()}}
	}
	want, err := os.ReadFile(filepath.Join(opts.Dir, AtlasSumFile))
	if err != nil {
		return ms, []Problem{{Code: "sum-mismatch", Severity: Warning, File: AtlasSumFile,
			Message: "no atlas.sum: atlas migrate apply refuses the directory (checksum file not found); run atlas migrate hash"}}
	}
	if p := atlasCompare(want, got); p != nil {
		return ms, []Problem{*p}
	}
	return ms, nil
}

// atlasEntry is one line of atlas.sum: a file and its hash.
type atlasEntry struct{ name, hash string }

// AtlasSum computes the atlas.sum of dir's .sql files (sorted by name) as
// Atlas does: one SHA-256 runs over every file's name and content in
// order, and each file's line holds that running hash after the file; the
// first line hashes the names and hashes of every line. Hashes are
// standard base64 with prefix "h1:". A file whose first line is an
// "atlas:sum ignore" directive contributes its name only, and no line.
func AtlasSum(dir string) ([]byte, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	sort.Strings(names)
	h := sha256.New()
	var entries []atlasEntry
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		h.Write([]byte(n))
		if d := atlasDirective.FindStringSubmatch(string(b)); d != nil && d[2] == "sum" && d[3] == "ignore" {
			continue
		}
		h.Write(b)
		entries = append(entries, atlasEntry{n, base64.StdEncoding.EncodeToString(h.Sum(nil))})
	}
	total := sha256.New()
	var body bytes.Buffer
	for _, e := range entries {
		total.Write([]byte(e.name))
		total.Write([]byte(e.hash))
		fmt.Fprintf(&body, "%s h1:%s\n", e.name, e.hash)
	}
	return append([]byte("h1:"+base64.StdEncoding.EncodeToString(total.Sum(nil))+"\n"), body.Bytes()...), nil
}

func parseAtlasSum(b []byte) (string, []atlasEntry) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Scan()
	sum := strings.TrimPrefix(sc.Text(), "h1:")
	var out []atlasEntry
	for sc.Scan() {
		if n, h, ok := strings.Cut(sc.Text(), "h1:"); ok {
			out = append(out, atlasEntry{strings.TrimSpace(n), h})
		}
	}
	return sum, out
}

// atlasCompare says which file breaks the sum, as atlas migrate validate
// does: the first line of atlas.sum whose file was edited, removed or
// moved, or the file added after the last line.
func atlasCompare(want, got []byte) *Problem {
	wsum, we := parseAtlasSum(want)
	gsum, ge := parseAtlasSum(got)
	if wsum == gsum {
		return nil
	}
	p := &Problem{Code: "sum-mismatch", Severity: Warning, File: AtlasSumFile}
	for i, w := range we {
		if i < len(ge) && ge[i] == w {
			continue
		}
		p.Line = i + 2
		idx := -1
		for j, g := range ge {
			if g.name == w.name {
				idx = j
			}
		}
		switch {
		case idx < 0:
			p.Message = fmt.Sprintf("checksum mismatch: %s was removed (atlas.sum line %d)", w.name, p.Line)
		case idx == i:
			p.Message = fmt.Sprintf("checksum mismatch: %s was edited after atlas.sum was written (line %d)", w.name, p.Line)
		default:
			p.Message = fmt.Sprintf("checksum mismatch: %s was added before %s (atlas.sum line %d)", ge[i].name, w.name, p.Line)
		}
		p.Message += ": atlas migrate apply refuses the whole directory until atlas migrate hash is run again"
		return p
	}
	p.Line = len(we) + 2
	added := "a file"
	if len(ge) > len(we) {
		added = ge[len(we)].name
	}
	p.Message = fmt.Sprintf("checksum mismatch: %s was added without atlas migrate hash: atlas migrate apply refuses the whole directory", added)
	return p
}

func (atlas) Less(a, b *Migration) bool { return a.Up.File < b.Up.File }

func (atlas) HistoryKey(version, _ string) string { return version }

func (atlas) History() History {
	return History{Readers: []string{"atlas"}, Table: "atlas_schema_revisions"}
}

// NoDowns: Atlas versioned directories hold ups only.
func (atlas) NoDowns() string {
	return "Atlas versioned migrations have no down files (atlas migrate down plans them against a dev database)"
}
