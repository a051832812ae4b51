package migrations

import (
	"fmt"
	"sort"
	"strings"
)

// File is one candidate file of a migrations folder.
type File struct {
	Path string // relative to the folder, slash-separated
	Base string // last element of Path
	Size int64
	Head []byte // the first bytes, for detection
	Data []byte // the whole file (set before Parse)
	// Offset/Line of Data[0] in the file: a UTF-8 byte-order mark is
	// dropped from Data and counted here.
	Offset int64
}

// Claim is how strongly a format recognises a file.
type Claim int

const (
	NoClaim   Claim = 0
	NameClaim Claim = 1 // the name fits the format's pattern
	MarkClaim Claim = 2 // the content carries the format's own marker
)

// Format reads one migration format.
type Format interface {
	// Name is the format's name as --format spells it.
	Name() string
	// Recursive reports whether the runner reads sub-folders.
	Recursive() bool
	// Claim says whether a .sql file belongs to this format.
	Claim(f File) Claim
	// Parse reads one file into migrations (a golang-migrate or Flyway file
	// holds one direction: the other is merged by key). It returns error
	// Problems for what it cannot read (name, annotations).
	Parse(f File) ([]Migration, []Problem)
	// Less orders two migrations as the runner does.
	Less(a, b *Migration) bool
	// HistoryKey maps a history entry (version and name as the snapshot's
	// history reader recorded them) to the Key of the migration it records.
	HistoryKey(version, name string) string
	// History says where the runner records what it applied.
	History() History
}

// History is what a format knows of its runner's history table: the
// readers (package snapshot/history) whose tables record its migrations,
// and whether the table keeps a checksum to compare with the files.
type History struct {
	// Readers are the snapshot/history runner names whose tables record
	// this format's migrations, the format's own first; none: any history.
	Readers []string
	// Table is the runner's default history table (for messages).
	Table string
	// Checksum: the history keeps the checksum Script.Checksum computes,
	// so a difference means the file was edited after it was applied
	// (Migration.ChecksumMatches).
	Checksum bool
	// ChecksumNote is what the runner does about an edited file.
	ChecksumNote string
	// None: no history table records it (a declarative target's computed
	// migration): it is always pending.
	None bool
}

// Records reports whether a history table read by runner records the
// format's migrations.
func (h History) Records(runner string) bool {
	for _, r := range h.Readers {
		if r == runner {
			return true
		}
	}
	return false
}

// Finisher is a format whose files are not independent: it sees every
// migration Parse returned before they are merged (dialect choice, a plan
// file's order).
type Finisher interface {
	Finish(ms []Migration, opts Options) ([]Migration, []Problem)
}

// DirFormat is a format recognised by a file of the folder (atlas.sum,
// sqitch.plan) rather than by its .sql files' names.
type DirFormat interface {
	// ClaimDir says whether dir is a folder of this format and why.
	ClaimDir(dir string) (bool, string)
}

var registry = map[string]Format{}

// order breaks detection ties: formats with a content marker first.
var order []string

// Register adds a format; each format's file registers itself in init.
func Register(f Format) {
	if _, dup := registry[f.Name()]; dup {
		panic("migrations: duplicate format " + f.Name())
	}
	registry[f.Name()] = f
	order = append(order, f.Name())
}

// hidden are registered formats --migrations-format does not offer.
var hidden = map[string]bool{}

// Formats lists the registered format names, sorted.
func Formats() []string {
	var out []string
	for _, n := range order {
		if !hidden[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Lookup returns the named format.
func Lookup(name string) (Format, error) {
	if f, ok := registry[strings.ToLower(name)]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("unknown migration format %q (known: %s)", name, strings.Join(Formats(), ", "))
}

// detect picks the format that claims the files most strongly and says why.
func detect(dir string, files []File) (Format, string) {
	for _, name := range Formats() {
		if d, ok := registry[name].(DirFormat); ok {
			if yes, why := d.ClaimDir(dir); yes {
				return registry[name], why
			}
		}
	}
	var best Format
	bestScore, bestFiles := 0, 0
	for _, name := range Formats() {
		f := registry[name]
		score, n := 0, 0
		for _, file := range files {
			if !f.Recursive() && strings.Contains(file.Path, "/") {
				continue
			}
			if c := f.Claim(file); c > 0 {
				score += int(c)
				n++
			}
		}
		if score > bestScore {
			best, bestScore, bestFiles = f, score, n
		}
	}
	if best == nil {
		return nil, ""
	}
	return best, fmt.Sprintf("%d of %d .sql files fit %s", bestFiles, len(files), best.Name())
}
